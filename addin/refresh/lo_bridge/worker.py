"""Recalculate workbooks in a private headless LibreOffice, on request.

Run by the *system* Python (``/usr/bin/python3``, which ``python3-uno`` is built
for — the project venv cannot import ``uno``)::

    /usr/bin/python3 worker.py PROFILE_DIR BASIC_SOURCE_FILE

It starts ``soffice`` with the profile ``PROFILE_DIR`` (nothing of the user's
own LibreOffice is read or changed), sets ``OOXMLRecalcMode`` to "always
recalculate" so every formula is computed on load, installs the Basic module
``BASIC_SOURCE_FILE`` (the contract-function wrappers) as ``Standard.Jixiao`` in
the profile's application Basic, and prints one JSON line
``{"ready": true, "version": "25.2…"}``.

Then, for each JSON line ``{"src": PATH, "dst": PATH}`` on stdin, it loads
``src`` (hidden, macros allowed), saves the recalculated workbook to ``dst`` as
xlsx and answers ``{"ok": true, "seconds": …}`` or ``{"ok": false, "error": …}``.
End of input (or ``{"quit": true}``) terminates ``soffice``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.uno import RuntimeException as UnoRuntimeException

CONNECT_TIMEOUT = 90.0
ALWAYS_EXECUTE_NO_WARN = 4  # com.sun.star.document.MacroExecMode
RECALC_ALWAYS = 0  # Calc/Formula/Load: 0 always, 1 never, 2 prompt


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def reply(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Office:
    """One private soffice process and the UNO connection to it."""

    def __init__(self, profile: Path) -> None:
        self.pipe = "jixiao_" + uuid.uuid4().hex[:12]
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        self.proc = subprocess.Popen(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                f"--accept=pipe,name={self.pipe};urp;",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except Exception as exc:  # NoConnectException until soffice listens
                if self.proc.poll() is not None:
                    raise RuntimeError(f"soffice exited with code {self.proc.returncode}") from exc
                if time.monotonic() > deadline:
                    raise RuntimeError("soffice did not accept a connection in time") from exc
                time.sleep(0.1)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def configure(self) -> None:
        provider = self.smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess",
            (prop("nodepath", "/org.openoffice.Office.Calc/Formula/Load"),),
        )
        access.setPropertyValue("OOXMLRecalcMode", RECALC_ALWAYS)
        access.setPropertyValue("ODFRecalcMode", RECALC_ALWAYS)
        access.commitChanges()
        if access.getPropertyValue("OOXMLRecalcMode") != RECALC_ALWAYS:
            raise RuntimeError("could not set OOXMLRecalcMode")

    def install_basic(self, source: str) -> None:
        libraries = self.smgr.createInstanceWithContext(
            "com.sun.star.script.ApplicationScriptLibraryContainer", self.ctx
        )
        if not libraries.isLibraryLoaded("Standard"):
            libraries.loadLibrary("Standard")
        standard = libraries.getByName("Standard")
        if standard.hasByName("Jixiao"):
            standard.replaceByName("Jixiao", source)
        else:
            standard.insertByName("Jixiao", source)

    def version(self) -> str:
        provider = self.smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx
        )
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            (prop("nodepath", "/org.openoffice.Setup/Product"),),
        )
        return str(access.getPropertyValue("ooSetupVersionAboutBox"))

    def recalc(self, src: str, dst: str) -> float:
        start = time.perf_counter()
        doc = self.desktop.loadComponentFromURL(
            Path(src).resolve().as_uri(),
            "_blank",
            0,
            (prop("Hidden", True), prop("MacroExecutionMode", ALWAYS_EXECUTE_NO_WARN)),
        )
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {src}")
        try:
            # OOXMLRecalcMode=always already recalculated every formula on load.
            doc.storeToURL(
                Path(dst).resolve().as_uri(),
                (prop("FilterName", "Calc Office Open XML"), prop("Overwrite", True)),
            )
        finally:
            doc.close(True)
        return time.perf_counter() - start

    def alive(self) -> bool:
        """Whether soffice still answers over the bridge."""
        if self.proc.poll() is not None:
            return False
        try:
            self.desktop.getCurrentComponent()
        except UnoRuntimeException:  # DisposedException: the bridge is gone
            return False
        return True

    def stop(self) -> None:
        # The bridge may already be gone (DisposedException): killing below is enough.
        with contextlib.suppress(UnoRuntimeException):
            self.desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def start(profile: Path, basic: str) -> Office:
    """A configured soffice with the Basic wrappers installed."""
    office = Office(profile)
    try:
        office.configure()
        office.install_basic(basic)
    except BaseException:
        office.stop()
        raise
    return office


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through main's finally: soffice is stopped


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _terminated)
    profile = Path(argv[1])
    basic = Path(argv[2]).read_text(encoding="utf-8")
    try:
        office = start(profile, basic)
    except RuntimeError as exc:
        reply({"ready": False, "error": str(exc)})
        return 1
    try:
        reply({"ready": True, "version": office.version()})
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("quit"):
                break
            try:
                seconds = office.recalc(request["src"], request["dst"])
            except Exception as exc:  # reported to the caller, which raises it
                reply({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
                if not office.alive():  # soffice crashed on that file: a fresh one
                    office.stop()
                    office = start(profile, basic)
            else:
                reply({"ok": True, "seconds": seconds})
    finally:
        office.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
