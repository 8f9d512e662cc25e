"""``jixiao lite-bundle OUTDIR``: what a user pastes into xlwings Lite.

xlwings Lite runs Python inside Excel (Pyodide) from one ``main.py`` and a
``requirements.txt``. The bundle's ``main.py`` is self-contained: it carries
the source of the kernel (``udfs``), the registry and the value conversion
(``addin.registry``, ``addin.hosts.convert``) as text, serves them to ``import``
through a small meta-path finder under real-looking file names
(``jixiao-lite/udfs/bands.py`` …, source registered with :mod:`linecache` and
``get_source``, so tracebacks show the lines), and then defines the ``JX.*``
functions with Lite's ``func``/``arg`` decorators through the same
:func:`addin.hosts.convert.bind` that :mod:`addin.hosts.officejs` uses (their
``__module__`` is ``main``, the module Lite executes). It needs only numpy and
xlwings, both of which Lite provides; ``requirements.txt`` pins the xlwings
the tests run the bundle with, and ``main.py`` refuses one older than
:data:`XLWINGS_FLOOR` with a message saying so.
"""

from __future__ import annotations

import ast
from pathlib import Path

import click

from addin.hosts.sources import shipped_sources
from addin.language import language_option, say

__all__ = [
    "BUNDLE_ROOT",
    "XLWINGS_FLOOR",
    "XLWINGS_TESTED",
    "build_main",
    "build_requirements",
    "bundle_source",
    "lite_bundle_command",
    "write_bundle",
]


#: The xlwings version the bundle is tested with (tests/test_hosts_lite.py runs the
#: bundle on exactly this version) and pinned to in requirements.txt.
XLWINGS_TESTED = "0.37.8"
#: The oldest xlwings the bundle accepts: 0.35.1 fixed Lite on newer Pyodide
#: (GH 2690), 0.36.6 supports Pyodide 314 and 0.36.7 stopped empty cells
#: arriving as ``jsnull`` (docs.xlwings.org, "What's New"). main.py refuses older.
XLWINGS_FLOOR = "0.36.7"

#: Where the bundled modules claim to live: tracebacks and inspect show these
#: names with their real source lines (served by the loader and ``linecache``).
BUNDLE_ROOT = "jixiao-lite"

_FINDER = f'''

class _BundleFinder(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
    """Serves the modules in _SOURCES to ``import``, under real-looking file names."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _SOURCES:
            return None
        is_package = _SOURCES[fullname][0]
        spec = importlib.util.spec_from_loader(fullname, self, is_package=is_package)
        spec.origin = _filename(fullname)
        spec.has_location = True
        return spec

    def create_module(self, spec):
        return None

    def get_source(self, fullname):
        return _SOURCES[fullname][1]

    def exec_module(self, module):
        name = module.__name__
        is_package, source = _SOURCES[name]
        filename = _filename(name)
        if is_package:
            module.__path__ = []
        module.__file__ = filename
        # Tracebacks read source lines from linecache (mtime None: never evicted).
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), module.__dict__)


def _filename(name):
    tail = "/__init__.py" if _SOURCES[name][0] else ".py"
    return "{BUNDLE_ROOT}/" + name.replace(".", "/") + tail


def _install():
    # Lite re-runs main.py after each edit: drop an earlier bundle's finder and modules.
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_BundleFinder"]
    for name in list(sys.modules):
        if name in _SOURCES:
            del sys.modules[name]
    sys.meta_path.insert(0, _BundleFinder())
'''

_LITE_TAIL = '''

def _require_xlwings():
    import xlwings

    have = tuple(int(p) for p in xlwings.__version__.split(".")[:3] if p.isdigit())
    if have < {floor_tuple}:
        raise ImportError(
            "jixiao 需要 xlwings >= {floor}，当前为 " + xlwings.__version__
            + "：请把 requirements.txt 换成 jixiao lite-bundle 生成的版本并重启 / "
            "jixiao needs xlwings >= {floor}, this is " + xlwings.__version__
            + ": use the requirements.txt from jixiao lite-bundle and restart"
        )


_require_xlwings()
_install()

from xlwings import XlwingsError, arg, func  # noqa: E402  (Lite's decorators)

from addin.hosts.convert import bind  # noqa: E402

#: The Excel names defined here, each a module attribute: =JX.TIERED(...) etc.
EXPORTED = bind(globals(), "officejs", func, arg, raise_as=XlwingsError)
'''.format(
    floor=XLWINGS_FLOOR,
    floor_tuple=tuple(int(p) for p in XLWINGS_FLOOR.split(".")),
)


def _text_literal(source: str) -> str:
    """``source`` as a readable triple-quoted Python string literal."""
    escaped = source.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    literal = f'"""{escaped}"""'
    if ast.literal_eval(literal) != source:  # a guard, not an expected path
        literal = repr(source)
    return literal


def bundle_source(head: str, tail: str) -> str:
    """A self-contained Python module: docstring ``head``, the bundled modules' source
    served to ``import`` by a meta-path finder (``_install()`` puts it in place), then
    ``tail`` (the host's own set-up). The Lite ``main.py`` and the WPS add-in's
    Python bundle are both built with it."""
    prelude = (
        f'"""{head}"""\n\n'
        "import importlib.abc\n"
        "import importlib.util\n"
        "import linecache\n"
        "import sys\n\n"
        "# Source of the bundled modules: name -> (is package, source).\n"
        "_SOURCES = {\n"
    )
    entries = [
        f"    {m.name!r}: ({m.is_package!r}, {_text_literal(m.source)}),\n"
        for m in shipped_sources()
    ]
    return prelude + "".join(entries) + "}\n" + _FINDER + tail


def build_main() -> str:
    """The text of the bundle's ``main.py``."""
    from addin.registry import FUNCTIONS

    names = ", ".join(f.name for f in FUNCTIONS)
    head = (
        "jixiao 绩效奖金函数 — xlwings Lite 版 / jixiao worksheet functions for xlwings Lite.\n\n"
        "由 `jixiao lite-bundle` 生成，请勿手工修改；粘贴到 xlwings Lite 的 main.py。\n"
        "Generated by `jixiao lite-bundle`; do not edit: paste it into xlwings Lite's main.py.\n\n"
        f"函数 / functions (=JX.NAME): {names}\n"
    )
    return bundle_source(head, _LITE_TAIL)


def build_requirements() -> str:
    """``requirements.txt``: xlwings pinned to the version the bundle is tested with."""
    return (
        "# jixiao for xlwings Lite: numpy comes with Pyodide (do not pin it).\n"
        f"# xlwings: tested with {XLWINGS_TESTED}; main.py needs >= {XLWINGS_FLOOR}.\n"
        f"xlwings=={XLWINGS_TESTED}\n"
        "numpy\n"
    )


def write_bundle(outdir: Path) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` into ``outdir``; return their paths.

    Each file is written to a temporary name first and renamed, so a file is
    written whole or not at all.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("main.py", build_main()), ("requirements.txt", build_requirements())):
        target = outdir / name
        tmp = outdir / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written


@click.command("lite-bundle")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@language_option()
def lite_bundle_command(outdir: Path, lang: str) -> None:
    """写出 xlwings Lite 用的 main.py 与 requirements.txt。

    退出码：0 已写出，2 输出文件夹无法写入（给出路径和原因）。

    Write main.py and requirements.txt for xlwings Lite into OUTDIR: paste
    main.py into Lite's main.py tab and requirements.txt into its
    requirements.txt tab; then =JX.TIERED(...) works in that workbook.
    Exit codes: 0 written; 2 OUTDIR cannot be written (path and reason named).
    """
    try:
        written = write_bundle(outdir)
    except OSError as exc:
        click.echo(say(lang, f"无法写入 {outdir}：{exc.strerror or exc}", f"cannot write {outdir}: {exc.strerror or exc}"), err=True)
        raise SystemExit(2) from None
    for path in written:
        click.echo(say(lang, f"已写出 {path}", f"wrote {path}"))
    click.echo(say(lang, "下一步：见 docs/excel-office-js.md", "next: see docs/excel-office-js.md"))
