"""``jixiao refresh --engine libreoffice``: LibreOffice Calc as the calculator.

LibreOffice is the reference spreadsheet nobody here wrote: the differential
tests compare the built-in engine with it. The recalculation runs in a private
headless ``soffice`` (its own profile under the temp folder, ``OOXMLRecalcMode``
set to "always recalculate"), driven over UNO by
:mod:`addin.refresh.lo_bridge.worker` under the *system* Python, because
``python3-uno`` is built for it and the project venv cannot import ``uno``.

The contract functions (``TIERED``, ``BAND`` …, :mod:`addin.registry`) are
unknown to LibreOffice. They are bridged to the kernel: every function gets a
generated Basic wrapper ``JX_<NAME>`` in the profile's ``Standard`` library
(:func:`basic_module`) that calls :mod:`addin.refresh.lo_bridge.bridge` through
the Python script provider. The workbook LibreOffice opens is a temporary copy
whose formulas call the wrappers (:func:`rewrite_formula`). An error result
crosses as LibreOffice's own encoding of a formula error (a NaN carrying the
error number), so it arrives in the cell, or inside an array, as that error.

LibreOffice's recalculated copy is only *read* (cached values, with the
package reader); the values are written into the ORIGINAL package by the same
writer as the built-in engine (:mod:`addin.xlsx.writer`) — LibreOffice's own
re-saved file is never shipped (it lower-cases unknown names and rewrites
formulas).

Install LibreOffice ≥ 25.2 with ``make libreoffice``
(``scripts/install-libreoffice.sh``).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import IO

from addin.xlsx.model import (
    Coord,
    RefreshError,
    Results,
    UnreadableWorkbookError,
    Workbook,
)
from addin.xlsx.sheetxml import rewrite_formulas

__all__ = [
    "MIN_VERSION",
    "LibreOffice",
    "LibreOfficeError",
    "LibreOfficeUnavailableError",
    "basic_module",
    "calculate",
    "calculate_with_libreoffice",
    "contract_functions",
    "rewrite_formula",
    "soffice_version",
    "unavailable_reason",
]

#: Oldest LibreOffice that knows XLOOKUP, XMATCH and LET.
MIN_VERSION: tuple[int, int] = (25, 2)
#: The Python that ``python3-uno`` belongs to.
SYSTEM_PYTHON = "/usr/bin/python3"
BRIDGE_DIR = Path(__file__).with_name("lo_bridge")
#: Prefix of the Basic wrappers in the copy LibreOffice opens (avoids any clash
#: with LibreOffice's own function names).
WRAPPER_PREFIX = "JX_"
class LibreOfficeError(RefreshError):
    """LibreOffice failed on a workbook, or could not be started."""


class LibreOfficeUnavailableError(LibreOfficeError):
    """LibreOffice ≥ 25.2 with Python-UNO is not installed here."""


# ---------------------------------------------------------------------------
# What is installed
# ---------------------------------------------------------------------------


def soffice_version() -> tuple[int, ...] | None:
    """The version ``soffice --version`` reports (``(25, 2, 3, 2)``), ``None`` if absent."""
    exe = shutil.which("soffice")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?", out)
    if m is None:
        return None
    return tuple(int(g) for g in m.groups() if g is not None)


def unavailable_reason() -> str | None:
    """Why the LibreOffice engine cannot run here, or ``None`` when it can."""
    version = soffice_version()
    wanted = ".".join(map(str, MIN_VERSION))
    if version is None:
        return f"LibreOffice (soffice) is not installed; run `make libreoffice` (needs >= {wanted})"
    if version[:2] < MIN_VERSION:
        have = ".".join(map(str, version))
        return f"LibreOffice {have} is older than {wanted}; run `make libreoffice`"
    try:
        ok = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=60, check=False
        ).returncode == 0
    except OSError:
        ok = False
    if not ok:
        return f"{SYSTEM_PYTHON} cannot import uno (python3-uno); run `make libreoffice`"
    return None


# ---------------------------------------------------------------------------
# The bridge: Basic wrappers and formula rewriting
# ---------------------------------------------------------------------------


def contract_functions() -> dict[str, tuple[str, str, int]]:
    """``{NAME: (kernel module, attribute, most arguments)}`` from :mod:`addin.registry`."""
    from addin import registry

    out: dict[str, tuple[str, str, int]] = {}
    for name in registry.names():
        spec = registry.by_name(name)
        out[name] = (spec.module, spec.attr, spec.arg_counts[1])
    return out


def basic_module(functions: dict[str, tuple[str, str, int]]) -> str:
    """LibreOffice Basic source: ``JX_<NAME>(…)`` for every contract function.

    Each wrapper passes its arguments (missing optional ones as empty) to
    ``bridge.call`` through the Python script provider and turns a returned
    array of rows into the 2-D Basic array Calc expects.
    """
    lines = [
        "REM Generated by addin/refresh/libreoffice.py: the contract functions, bridged",
        "REM to the jixiao kernel (lo_bridge/bridge.py). Do not edit.",
        "Private oJixiaoScript As Object",
        "",
        "Function JixiaoCall(sName As String, args As Variant) As Variant",
        "    If IsNull(oJixiaoScript) Then",
        '        oJixiaoScript = createUnoService("com.sun.star.script.provider.'
        'MasterScriptProviderFactory").createScriptProvider("").getScript('
        '"vnd.sun.star.script:jixiao_bridge.py$call?language=Python&location=user")',
        "    End If",
        "    Dim r As Variant",
        "    r = oJixiaoScript.invoke(Array(sName, args), Array(), Array())",
        "    If Not IsArray(r) Then",
        "        JixiaoCall = r",
        "        Exit Function",
        "    End If",
        "    Dim n As Long, m As Long, i As Long, j As Long, r0 As Long, c0 As Long",
        "    r0 = LBound(r)",
        "    c0 = LBound(r(r0))",
        "    n = UBound(r) - r0 + 1",
        "    m = UBound(r(r0)) - c0 + 1",
        "    Dim out()",
        "    ReDim out(1 To n, 1 To m)",
        "    For i = 1 To n",
        "        For j = 1 To m",
        "            out(i, j) = r(r0 + i - 1)(c0 + j - 1)",
        "        Next j",
        "    Next i",
        "    JixiaoCall = out",
        "End Function",
    ]
    for name, (_module, _attr, most) in functions.items():
        params = ", ".join(f"Optional a{i}" for i in range(most))
        lines += ["", f"Function {WRAPPER_PREFIX}{name}({params})"]
        lines.append(f"    Dim v({most - 1})")
        lines += [f"    If Not IsMissing(a{i}) Then v({i}) = a{i}" for i in range(most)]
        lines += [f'    {WRAPPER_PREFIX}{name} = JixiaoCall("{name}", v)', "End Function"]
    return "\n".join(lines) + "\n"


_IDENT = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.]*")


def _matching_paren(text: str, open_at: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``open_at`` (strings and quoted names skipped)."""
    depth = 0
    i = open_at
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            end = text.find(ch, i + 1)
            while end != -1 and text[end + 1 : end + 2] == ch:  # doubled quote = escaped
                end = text.find(ch, end + 2)
            if end == -1:
                return -1
            i = end
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def rewrite_formula(text: str, lookup: dict[str, str] | None = None) -> str:
    """``text`` with every contract-function call, in any spelling, calling its
    Basic wrapper ``JX_<NAME>``.

    ``lookup`` maps upper-case spellings (``TIERED``, ``_XLUDF.TIERED``,
    ``_XLDUDF_JX_TIERED``, ``JX.TIERED``) to names; default: the registry's.
    An empty argument (``RANKX(A2:A9,,"dense")``) becomes ``""``, which the
    kernel reads as omitted: LibreOffice rejects a call to a Basic function with
    an empty argument before a range.

    >>> rewrite_formula('A1+_xludf.MONEY(B2,2)', {'_XLUDF.MONEY': 'MONEY'})
    'A1+JX_MONEY(B2,2)'
    """
    if lookup is None:
        lookup = _spellings()
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            end = _matching_quote(text, i)
            out.append(text[i : end + 1])
            i = end + 1
            continue
        m = _IDENT.match(text, i)
        if m is None:
            out.append(ch)
            i += 1
            continue
        word, end = m.group(), m.end()
        name = lookup.get(word.upper())
        if name is not None and text[end : end + 1] == "(" and (i == 0 or text[i - 1] != "!"):
            close = _matching_paren(text, end)
            if close != -1:
                args = text[end + 1 : close]
                inner = ",".join(
                    rewrite_formula(arg, lookup) if arg.strip() else '""'
                    for arg in _split_arguments(args)
                ) if args.strip() else args
                out.append(f"{WRAPPER_PREFIX}{name}({inner})")
                i = close + 1
                continue
        out.append(word)
        i = end
    return "".join(out)


def _split_arguments(text: str) -> list[str]:
    """The top-level, comma-separated arguments of a call (``"a,(b,c),{1,2}"`` → 3)."""
    args: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            i = _matching_quote(text, i)
        elif ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
        i += 1
    args.append(text[start:])
    return args


def _matching_quote(text: str, start: int) -> int:
    quote = text[start]
    end = text.find(quote, start + 1)
    while end != -1 and text[end + 1 : end + 2] == quote:
        end = text.find(quote, end + 2)
    return len(text) - 1 if end == -1 else end


def _spellings() -> dict[str, str]:
    from addin import registry

    return {spelling.upper(): spec.name for spelling, spec in registry.spellings()}


def bridged_copy(source: Path, dest: Path) -> None:
    """Copy the package ``source`` to ``dest`` with every formula (cells and
    defined names) calling the Basic wrappers instead of the contract functions."""
    lookup = _spellings()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = info.filename
            if (name.startswith("xl/worksheets/") and name.endswith(".xml")) or name == "xl/workbook.xml":
                data = rewrite_formulas(data, lambda text: rewrite_formula(text, lookup))
            zout.writestr(info, data)


# ---------------------------------------------------------------------------
# One LibreOffice process
# ---------------------------------------------------------------------------


class LibreOffice:
    """A private headless LibreOffice with the contract functions bridged.

    Use as a context manager; :meth:`recalc` may be called many times (one
    ``soffice`` serves them all, which matters: it takes seconds to start).
    """

    def __init__(self) -> None:
        reason = unavailable_reason()
        if reason is not None:
            raise LibreOfficeUnavailableError(f"LibreOffice 不可用 / {reason}")
        self._dir = Path(tempfile.mkdtemp(prefix="jixiao-lo-"))
        self._lock = threading.Lock()
        profile = self._dir / "profile"
        scripts = profile / "user" / "Scripts" / "python"
        scripts.mkdir(parents=True)
        shutil.copyfile(BRIDGE_DIR / "bridge.py", scripts / "jixiao_bridge.py")
        functions = contract_functions()
        (self._dir / "functions.json").write_text(json.dumps(functions), encoding="utf-8")
        (self._dir / "Jixiao.bas").write_text(basic_module(functions), encoding="utf-8")
        env = dict(os.environ)
        env["JIXIAO_FUNCTIONS"] = str(self._dir / "functions.json")
        env["JIXIAO_PYTHONPATH"] = os.pathsep.join(_kernel_path())
        env.pop("PYTHONPATH", None)
        env.pop("PYTHONHOME", None)
        self._proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(BRIDGE_DIR / "worker.py"), str(profile),
             str(self._dir / "Jixiao.bas")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
        )
        hello = self._read()
        if not hello.get("ready"):
            self.close()
            raise LibreOfficeError(
                f"LibreOffice 启动失败 / LibreOffice did not start: {hello.get('error')}"
            )
        self.version: str = str(hello.get("version", ""))

    def _read(self) -> dict[str, object]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            return {"ok": False, "ready": False, "error": "the LibreOffice worker exited"}
        answer: dict[str, object] = json.loads(line)
        return answer

    def recalc(self, source: str | Path, dest: str | Path) -> float:
        """Recalculate ``source`` (bridged copy made here) and save LibreOffice's
        result as xlsx at ``dest``; the seconds LibreOffice took."""
        source, dest = Path(source), Path(dest)
        with tempfile.TemporaryDirectory(dir=self._dir) as tmp:
            copy = Path(tmp) / ("in" + source.suffix.lower())
            try:
                bridged_copy(source, copy)
            except (zipfile.BadZipFile, OSError) as exc:
                raise UnreadableWorkbookError(
                    f"{source.name} 无法读取 / cannot be read: {exc}"
                ) from None
            with self._lock:
                if self._proc.poll() is not None:
                    raise LibreOfficeError("LibreOffice 已退出 / LibreOffice has exited")
                assert self._proc.stdin is not None
                self._proc.stdin.write(json.dumps({"src": str(copy), "dst": str(dest)}) + "\n")
                self._proc.stdin.flush()
                answer = self._read()
        if not answer.get("ok"):
            raise LibreOfficeError(
                f"LibreOffice 无法计算 {source.name} / LibreOffice failed on {source.name}: "
                f"{answer.get('error')}"
            )
        return float(answer.get("seconds", 0.0))  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop LibreOffice and remove the private profile."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            with suppress(OSError):
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.terminate()  # the worker stops its soffice on SIGTERM
                try:
                    self._proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _kernel_path() -> list[str]:
    """``sys.path`` entries LibreOffice's Python needs to import the kernel: the
    checkout and the venv's ``site-packages`` (numpy)."""
    root = Path(__file__).resolve().parents[2]
    return [str(root), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]


_shared: LibreOffice | None = None


def shared_office() -> LibreOffice:
    """One LibreOffice for the whole process (started on first use, stopped at exit)."""
    global _shared
    if _shared is None or _shared._proc.poll() is not None:
        _shared = LibreOffice()
        atexit.register(_shared.close)
    return _shared


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


def _array_cells(ref: str) -> Iterator[Coord]:
    from addin.xlsx.a1 import from_a1

    first, _, last = ref.replace("$", "").partition(":")
    (r1, c1), (r2, c2) = from_a1(first), from_a1(last or first)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            yield (r, c)


def _spill_end(anchor: Coord, last: Coord, values: Mapping[Coord, object]) -> Coord:
    """Where a dynamic array's result really ends inside the range it had in the file.

    LibreOffice has no spilling: it computes a dynamic-array formula as an
    array formula over the range saved in the file and pads a smaller result
    with ``#N/A``. Trailing rows and columns that are ``#N/A`` throughout are
    that padding (a real result ending in a whole row of ``#N/A`` is
    indistinguishable; none of the templates has one).
    """
    from udfs.errors import NA

    def padding(cells: Iterator[Coord]) -> bool:
        return all(values.get(c) == NA for c in cells)

    (r0, c0), (r1, c1) = anchor, last
    while r1 > r0 and padding((r1, c) for c in range(c0, c1 + 1)):
        r1 -= 1
    while c1 > c0 and padding((r, c1) for r in range(r0, r1 + 1)):
        c1 -= 1
    return (r1, c1)


def results_from(original: Workbook, recalculated: Workbook) -> Results:
    """The values ``recalculated`` holds in ``original``'s formula cells (and
    the cells its array formulas cover)."""
    results = Results()
    for sheet in original.sheets:
        try:
            computed = recalculated.sheet(sheet.name)
        except KeyError:
            raise LibreOfficeError(
                f"LibreOffice 丢失了工作表 {sheet.name} / LibreOffice lost sheet {sheet.name}"
            ) from None
        values: dict[Coord, object] = {}
        spills: dict[Coord, Coord] = {}
        for anchor, formula in sheet.formulas.items():
            values[anchor] = computed.values.get(anchor)
            if formula.kind != "normal" and formula.ref:
                lo_formula = computed.formulas.get(anchor)
                ref = lo_formula.ref if lo_formula is not None and lo_formula.ref else formula.ref
                cells = list(_array_cells(ref))
                for coord in cells:
                    values[coord] = computed.values.get(coord)
                if formula.kind == "dynamic":
                    last = _spill_end(anchor, cells[-1], values)
                    for r, c in cells:
                        if r > last[0] or c > last[1]:
                            values[(r, c)] = None
                    spills[anchor] = last
        if values:
            results.values[sheet.name] = values  # type: ignore[assignment]
        if spills:
            results.spills[sheet.name] = spills
    return results


def calculate_with_libreoffice(path: str | Path, office: LibreOffice | None = None) -> Results:
    """Recalculate the workbook at ``path`` in LibreOffice: a value for every
    formula cell (and array-formula cell), comparable with
    :func:`addin.refresh.engine.calculate`."""
    from addin.xlsx.workbook import read_workbook

    return calculate(read_workbook(path), path, office)


def calculate(workbook: Workbook, source: str | Path, office: LibreOffice | None = None) -> Results:
    """The ``--engine libreoffice`` calculator: ``workbook`` is ``source`` as read."""
    from addin.xlsx.workbook import read_workbook

    office = office or shared_office()
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-out-") as tmp:
        out = Path(tmp) / "recalculated.xlsx"
        office.recalc(source, out)
        recalculated = read_workbook(out)
    return results_from(workbook, recalculated)


def main(argv: list[str] | None = None, stdout: IO[str] | None = None) -> int:
    """``python -m addin.refresh.libreoffice FILE``: print every formula cell LibreOffice computed."""
    from addin.xlsx.a1 import to_a1

    args = sys.argv[1:] if argv is None else argv
    stdout = stdout or sys.stdout
    with LibreOffice() as office:
        for name in args:
            results = calculate_with_libreoffice(name, office)
            for sheet, cells in results.values.items():
                for coord, value in sorted(cells.items()):
                    stdout.write(f"{sheet}!{to_a1(*coord)}\t{value!r}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
