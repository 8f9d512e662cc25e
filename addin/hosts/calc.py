"""``jixiao calc-addin OUT.oxt``: the LibreOffice Calc add-in, generated from the registry.

The ``.oxt`` is a LibreOffice extension holding

* ``jixiao.rdb`` — a UNO type library with one interface,
  ``org.jixiao.calc.XFunctions``: one method per registry function, each
  argument an ``any`` (a number, a text or, for a range, rows of cells; every
  ``any`` argument is optional to Calc), each result rows of cells
  (:func:`~addin.hosts.calc_functions.result_type`). It is compiled from the
  IDL text :func:`idl` generates, with the SDK's ``unoidl-write``
  (``make libreoffice`` installs it);
* ``jixiao_calc.py`` — the Python UNO component (:mod:`addin.hosts.calc_uno`)
  and ``jixiao.components``, which registers it as a ``com.sun.star.sheet.AddIn``;
* ``pythonpath/`` — what the component imports: the kernel, the registry and
  the value conversion (:func:`addin.hosts.sources.shipped_sources`, plus
  :mod:`addin.hosts.calc_functions`) and numpy, unpacked from a wheel for the
  Python LibreOffice runs (pinned by sha256 in :data:`NUMPY_WHEELS`);
* ``description.xml`` and ``META-INF/manifest.xml``.

numpy is binary, so the extension is for one platform (``description.xml``
says which; LibreOffice refuses it elsewhere): by default the one LibreOffice
here runs on (Debian's LibreOffice runs the system Python through
``python3-uno``). ``--numpy-wheel`` builds for another from a wheel you
supply. See docs/libreoffice.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from html import escape
from importlib.metadata import version as package_version
from pathlib import Path

import click

from addin.hosts.calc_functions import (
    ADDIN_SERVICE,
    IMPLEMENTATION_NAME,
    INTERFACE_NAME,
    idl_parameter,
    result_type,
)
from addin.hosts.sources import PROJECT_ROOT, ModuleSource, shipped_sources
from addin.language import language_option, say
from addin.refresh.libreoffice import SYSTEM_PYTHON
from addin.registry import FUNCTIONS, FunctionSpec
from addin.summary import EXIT_NOT_WRITTEN

__all__ = [
    "EXIT_MISSING_TOOL",
    "EXTENSION_ID",
    "NUMPY_WHEELS",
    "UNOIDL_WRITE",
    "CalcAddinError",
    "NumpyWheel",
    "build_oxt",
    "calc_addin_command",
    "idl",
    "libreoffice_python",
    "numpy_wheel",
]

#: The extension's identifier (the Extension Manager replaces an older one with it).
EXTENSION_ID = "org.jixiao.calc"
#: The SDK's IDL compiler (Debian ``libreoffice-dev``; ``make libreoffice``).
UNOIDL_WRITE = "/usr/lib/libreoffice/sdk/bin/unoidl-write"
#: LibreOffice's own type library (``com.sun.star.uno.XInterface`` …), which
#: the interface refers to.
LIBREOFFICE_TYPES = "/usr/lib/libreoffice/program/types.rdb"
#: The component file's name inside the ``.oxt``.
COMPONENT_FILE = "jixiao_calc.py"
#: Modules the component needs besides :func:`~addin.hosts.sources.shipped_sources`.
CALC_MODULES: tuple[str, ...] = ("addin.hosts.calc_functions",)


#: Exit code of ``jixiao calc-addin`` when a build tool is missing here.
EXIT_MISSING_TOOL = 3


class CalcAddinError(Exception):
    """The add-in cannot be built here (a tool or the numpy wheel is missing)."""


@dataclass(frozen=True)
class NumpyWheel:
    """A numpy wheel for one Python and platform, pinned by its sha256."""

    python: str  # "3.11"
    machine: str  # platform.machine() of LibreOffice's Python
    pip_platform: str  # pip download --platform
    filename: str
    sha256: str

    @property
    def version(self) -> str:
        return self.filename.split("-")[1]


#: numpy for the Python LibreOffice runs; the same numpy version the test suite
#: runs the kernel with. Debian bookworm's LibreOffice (backports 25.2) runs
#: CPython 3.11 on x86-64. The sha256 is PyPI's for that file.
NUMPY_WHEELS: tuple[NumpyWheel, ...] = (
    NumpyWheel(
        "3.11",
        "x86_64",
        "manylinux_2_28_x86_64",
        "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        "89cd468399cfd2504718f0ba50e410dca55a170b61a02ad92bb18c8a65186e93",
    ),
)

#: A wheel's platform tag → LibreOffice's platform name in description.xml.
_PLATFORMS: tuple[tuple[str, str], ...] = (
    (r"linux.*_x86_64$", "linux_x86_64"),
    (r"linux.*_aarch64$", "linux_aarch64"),
    (r"^win_amd64$", "windows_x86_64"),
    (r"^win32$", "windows_x86"),
    (r"^win_arm64$", "windows_aarch64"),
    (r"^macosx_.*_x86_64$", "macos_x86_64"),
    (r"^macosx_.*_arm64$", "macos_aarch64"),
)


# ---------------------------------------------------------------------------
# The type library
# ---------------------------------------------------------------------------


def _method(spec: FunctionSpec) -> str:
    params = ", ".join(f"[in] any {idl_parameter(a)}" for a in spec.args)
    return f"        {result_type(spec)} {spec.name}({params});"


def idl(functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> str:
    """The UNOIDL text of the add-in's interface: one method per function.

    >>> print(idl(FUNCTIONS[:1]))  # doctest: +ELLIPSIS
    // Generated by jixiao calc-addin from addin/registry.py; do not edit.
    module org { module jixiao { module calc {
        interface XFunctions : com::sun::star::uno::XInterface
        {
            sequence< sequence< any > > WSCORE([in] any scores, [in] any weights, [in] any caps);
        };
    }; }; };
    """
    *modules, interface = INTERFACE_NAME.split(".")
    opening = " ".join(f"module {m} {{" for m in modules)
    closing = " ".join("};" for _ in modules)
    lines = [
        "// Generated by jixiao calc-addin from addin/registry.py; do not edit.",
        opening,
        f"    interface {interface} : com::sun::star::uno::XInterface",
        "    {",
        *(_method(spec) for spec in functions),
        "    };",
        closing,
    ]
    return "\n".join(lines)


def compile_idl(source: str, rdb: Path) -> None:
    """Compile ``source`` into the type library ``rdb`` with ``unoidl-write``."""
    if not Path(UNOIDL_WRITE).is_file():
        raise CalcAddinError(
            f"缺少 unoidl-write / {UNOIDL_WRITE} is missing: run `make libreoffice` "
            "(installs libreoffice-dev)"
        )
    with tempfile.TemporaryDirectory(prefix="jixiao-idl-") as tmp:
        idl_file = Path(tmp) / "XFunctions.idl"
        idl_file.write_text(source, encoding="utf-8")
        done = subprocess.run(
            [UNOIDL_WRITE, LIBREOFFICE_TYPES, str(idl_file), str(rdb)],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise CalcAddinError(f"unoidl-write failed: {done.stderr.strip() or done.stdout.strip()}")


# ---------------------------------------------------------------------------
# numpy for LibreOffice's Python
# ---------------------------------------------------------------------------


def libreoffice_python() -> tuple[str, str]:
    """(``"3.11"``, ``"x86_64"``): the Python LibreOffice runs here (python3-uno's)."""
    try:
        done = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno, sys, platform; "
             "print('%d.%d' % sys.version_info[:2], platform.machine())"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    except OSError as exc:
        raise CalcAddinError(f"{SYSTEM_PYTHON}: {exc}") from None
    if done.returncode != 0:
        raise CalcAddinError(
            f"LibreOffice 的 Python 不可用 / {SYSTEM_PYTHON} cannot import uno (python3-uno): "
            "run `make libreoffice`, or give --numpy-wheel"
        )
    python, machine = done.stdout.split()
    return python, machine


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jixiao" / "wheels"


def _sha256(path: Path) -> str:
    """The file's sha256, read in blocks by the standard library."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def numpy_wheel(python: str, machine: str) -> Path:
    """The pinned numpy wheel for ``python`` on ``machine``, downloaded once with
    pip into the user cache and checked against its sha256."""
    pins = [w for w in NUMPY_WHEELS if (w.python, w.machine) == (python, machine)]
    if not pins:
        known = ", ".join(f"Python {w.python} {w.machine}" for w in NUMPY_WHEELS)
        raise CalcAddinError(
            f"没有为 Python {python} {machine} 固定的 numpy / no numpy wheel is pinned for "
            f"LibreOffice's Python {python} on {machine} (pinned: {known}); give --numpy-wheel"
        )
    wheel = pins[0]
    cache = _cache_dir()
    path = cache / wheel.filename
    if not path.is_file() or _sha256(path) != wheel.sha256:
        cache.mkdir(parents=True, exist_ok=True)
        abi = "cp" + python.replace(".", "")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", f"numpy=={wheel.version}", "--no-deps",
             "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
             "--abi", abi, "--platform", wheel.pip_platform, "--dest", str(cache), "--quiet"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not path.is_file():
            raise CalcAddinError(f"pip could not download {wheel.filename}: {done.stderr.strip()}")
    got = _sha256(path)
    if got != wheel.sha256:
        raise CalcAddinError(f"{path}: sha256 {got}, expected {wheel.sha256}")
    return path


def wheel_platform(wheel: Path) -> str:
    """LibreOffice's platform name for a wheel's platform tag.

    >>> wheel_platform(Path("numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"))
    'linux_x86_64'
    """
    tag = wheel.name.removesuffix(".whl").split("-")[-1].split(".")[-1]
    for pattern, platform in _PLATFORMS:
        if re.search(pattern, tag):
            return platform
    raise CalcAddinError(f"{wheel.name}: unknown platform tag {tag}")


# ---------------------------------------------------------------------------
# The extension
# ---------------------------------------------------------------------------


def _description(platform: str) -> str:
    version = package_version("jixiao")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<description xmlns="http://openoffice.org/extensions/description/2006"
             xmlns:xlink="http://www.w3.org/1999/xlink">
  <identifier value="{EXTENSION_ID}"/>
  <version value="{escape(version)}"/>
  <platform value="{platform}"/>
  <display-name>
    <name lang="zh-CN">jixiao 绩效奖金函数</name>
    <name lang="en-US">jixiao incentive-pay functions</name>
  </display-name>
</description>
"""


_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-typelibrary;type=RDB"
                       manifest:full-path="jixiao.rdb"/>
  <manifest:file-entry manifest:media-type="application/vnd.sun.star.uno-components"
                       manifest:full-path="jixiao.components"/>
</manifest:manifest>
"""

_COMPONENTS = f"""<?xml version="1.0" encoding="UTF-8"?>
<components xmlns="http://openoffice.org/2010/uno-components">
  <component loader="com.sun.star.loader.Python" uri="./{COMPONENT_FILE}">
    <implementation name="{IMPLEMENTATION_NAME}">
      <service name="{ADDIN_SERVICE}"/>
      <service name="{IMPLEMENTATION_NAME}"/>
    </implementation>
  </component>
</components>
"""


def _python_sources() -> list[ModuleSource]:
    """The modules ``pythonpath/`` carries: the shipped set and the Calc-only ones."""
    sources = shipped_sources()
    for name in CALC_MODULES:
        rel = name.replace(".", "/") + ".py"
        sources.append(ModuleSource(name, False, rel, (PROJECT_ROOT / rel).read_text("utf-8")))
    return sources


def build_oxt(out: Path, wheel: Path | None = None) -> Path:
    """Build the add-in into ``out`` (written whole or not at all); return ``out``.

    ``wheel`` is the numpy wheel to ship; by default the pinned one for the
    Python LibreOffice runs here (:func:`numpy_wheel`).
    """
    if wheel is None:
        wheel = numpy_wheel(*libreoffice_python())
    platform = wheel_platform(wheel)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-oxt-") as tmp:
        rdb = Path(tmp) / "jixiao.rdb"
        compile_idl(idl(), rdb)
        partial = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as oxt:
            oxt.writestr("META-INF/manifest.xml", _MANIFEST)
            oxt.writestr("description.xml", _description(platform))
            oxt.writestr("jixiao.components", _COMPONENTS)
            oxt.write(rdb, "jixiao.rdb")
            oxt.write(Path(__file__).with_name("calc_uno.py"), COMPONENT_FILE)
            for module in _python_sources():
                oxt.writestr(f"pythonpath/{module.path}", module.source)
            with zipfile.ZipFile(wheel) as numpy:
                for info in numpy.infolist():
                    if not info.is_dir():
                        oxt.writestr(f"pythonpath/{info.filename}", numpy.read(info))
        partial.replace(out)
    return out


@click.command("calc-addin")
@language_option()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--numpy-wheel",
    "wheel",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="随附的 numpy wheel（默认：本机 LibreOffice 的 Python 所用、按 sha256 固定的版本）/ "
    "the numpy wheel to ship (default: the pinned one for the Python LibreOffice runs here)",
)
def calc_addin_command(out: Path, wheel: Path | None, lang: str) -> None:
    """生成 LibreOffice Calc 加载项（.oxt）：用扩展管理器或 unopkg add 安装。

    退出码：0 已写出，2 输出文件无法写入，3 本机缺少构建工具（unoidl-write、
    LibreOffice 的 Python 或 numpy wheel；原因会写明）。

    Build the LibreOffice Calc add-in OUT (.oxt): install it with Tools →
    Extension Manager or `unopkg add OUT.oxt`; then =TIERED(…) works in Calc.
    See docs/libreoffice.md. Exit codes: 0 written; 2 OUT cannot be written;
    3 a build tool is missing here (unoidl-write, LibreOffice's Python or the
    numpy wheel; the reason is named).
    """
    try:
        build_oxt(out, wheel)
    except CalcAddinError as exc:
        click.echo(say(lang, f"无法生成加载项：{exc}", f"cannot build the add-in: {exc}"), err=True)
        raise SystemExit(EXIT_MISSING_TOOL) from None
    except OSError as exc:
        click.echo(say(lang, f"无法写入 {out}：{exc.strerror or exc}", f"cannot write {out}: {exc.strerror or exc}"), err=True)
        raise SystemExit(EXIT_NOT_WRITTEN) from None
    click.echo(say(lang, f"已写出 {out}", f"wrote {out}"))
    click.echo(say(lang, "安装：见 docs/libreoffice.md", "to install: see docs/libreoffice.md"))
