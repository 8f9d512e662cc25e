"""``jixiao template WORKBOOK --host classic|lite|server|wps``: a template in one host's spelling.

Excel stores a call to a worksheet function differently for each add-in path,
and a workbook only calculates where its spelling is the one the loaded add-in
registers:

* **classic** (xlwings' VBA UDFs on Windows): the bare name, ``TIERED(`` —
  the function lives in the workbook's own ``xlwings_udfs`` VBA module.
* **lite** (xlwings Lite): an Office.js custom function. Excel saves it with
  the prefix ``_xldudf_`` and its namespace(s) joined by ``_``:
  ``_xldudf_JX_TIERED(``, shown as ``=JX.TIERED(`` once the add-in has
  registered its functions (Lite has no manifest namespace of its own).
* **server** (xlwings Server): the same, with the server manifest's namespace
  in front (``XLWINGS`` by default, setting ``XLWINGS_FUNCTIONS_NAMESPACE``;
  ``XLWINGS_DEV`` etc. outside production): ``_xldudf_XLWINGS_JX_TIERED(``,
  shown as ``=XLWINGS.JX.TIERED(``.
* **wps** (the WPS 表格 JS add-in, :mod:`addin.hosts.wps`): ``JX.TIERED(``.
  Known: WPS add-in functions are typed and shown as ``命名空间.函数名(…)``
  (``JX.TIERED``), registered under the manifest's namespace. An assumption
  until checked in WPS: that WPS writes that same text into the ``.xlsx``
  (no ``_xldudf_``/``_xll.`` prefix, which are Excel's). If WPS turns out to
  store another spelling, only this function changes; :func:`addin.registry.lookup`
  already reads ``JX.TIERED`` back, so refresh and validate accept the file.
  See docs/wps.md.

Sources: Microsoft's answer in OfficeDev/Excel-Custom-Functions#108 (JS custom
functions are saved with the ``_xldudf`` prefix; a name typed with dots while
the add-in is not loaded is saved as ``_xll.NS.NAME(`` and never calculates),
OfficeDev/office-js#3558 and #2568 (the saved ``_xldudf_…`` form in
``sheetN.xml``, mapped back to ``NS.NAME`` once the add-in registers its
functions), xlwings-server ``app/templates/manifest.xml`` and
``app/config.py`` (the manifest namespace). See docs/excel-office-js.md.

The rewrite works on the package XML, never through openpyxl: in every XML
part, the text of formula elements (``<f>``, conditional-format
``<formula>``, validation ``<formula1>``/``<formula2>``, table
``<calculatedColumnFormula>``) and of ``<definedName>`` is tokenised with the
formula tokenizer, and only function tokens that :func:`addin.registry.lookup`
recognises are respelt. Everything else — cached values, styles, other
formulas, the order and compression of zip entries — is copied as it was, so
the result still validates and refreshes (both read every spelling).
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import click

from addin.language import language_option, pick, say
from addin.registry import NAMESPACE, FunctionSpec, lookup, names
from addin.summary import EXIT_NOT_WRITTEN, echo_repairs
from addin.xlsx.formula import FormulaSyntaxError, tokenize
from addin.xlsx.model import UnreadableWorkbookError
from addin.xlsx.package import open_package, read_input
from addin.xlsx.package_writer import Deflated, write_package
from addin.xlsx.values_only import repair_formulas
from addin.xlsx.workbook import open_workbook, read_workbook

__all__ = [
    "HOSTS",
    "SERVER_NAMESPACE",
    "Host",
    "TemplateError",
    "convert_template",
    "host_spelling",
    "respell",
    "spellings_in",
    "template_command",
]

Host = Literal["classic", "lite", "server", "wps"]
HOSTS: tuple[Host, ...] = ("classic", "lite", "server", "wps")

#: xlwings Server's default manifest namespace (``functions_namespace`` in its config).
SERVER_NAMESPACE = "XLWINGS"

EXIT_FORMULA = 1  # a formula it cannot read (its --help says so); nothing written
EXIT_UNREADABLE = EXIT_NOT_WRITTEN

#: Elements whose text is a formula (local names; a namespace prefix may precede them).
_FORMULA_TAGS = rb"f|formula|formula1|formula2|calculatedColumnFormula|definedName"
_FORMULA_RE = re.compile(
    rb"<((?:[\w.-]+:)?(?:" + _FORMULA_TAGS + rb"))(\s[^>]*?)?(?<!/)>([^<]*)</\1>"
)
#: A cheap pre-filter: does this text mention one of our names at all?
_OURS_RE = re.compile("|".join(sorted(names(), key=len, reverse=True)), re.IGNORECASE)


#: What XML element text may hold for one character: an entity, an OOXML
#: ``_xHHHH_`` escape, or a CR-LF line end.
_ESCAPE_RE = re.compile(r"&(?:#x[0-9A-Fa-f]+|#\d+|lt|gt|amp|quot|apos);|_x([0-9A-Fa-f]{4})_|\r\n?")


def _decode(raw: str) -> tuple[str, list[int]]:
    """Element text as a parser reads it, and where each character starts in ``raw``.

    The offsets let a rewrite replace just a function name in the raw text, so
    every other byte (character references included) stays as the file had it.
    """
    text: list[str] = []
    offsets: list[int] = []
    at = 0
    for m in _ESCAPE_RE.finditer(raw):
        text.extend(raw[at : m.start()])
        offsets.extend(range(at, m.start()))
        token = m.group(0)
        if m.group(1):
            char = chr(int(m.group(1), 16))
        elif token.startswith("&"):
            char = html.unescape(token)
        else:
            char = "\n"
        text.append(char)
        offsets.append(m.start())
        at = m.end()
    text.extend(raw[at:])
    offsets.extend(range(at, len(raw) + 1))
    return "".join(text), offsets


class TemplateError(Exception):
    """A formula mentioning one of our functions that cannot be tokenised."""


def host_spelling(spec: FunctionSpec, host: Host, server_namespace: str = SERVER_NAMESPACE) -> str:
    """How a file made for ``host`` spells a call to ``spec`` (without the ``(``).

    >>> from addin.registry import by_name
    >>> [host_spelling(by_name("TIERED"), h) for h in HOSTS]
    ['TIERED', '_xldudf_JX_TIERED', '_xldudf_XLWINGS_JX_TIERED', 'JX.TIERED']
    """
    if host == "classic":
        return spec.name
    if host == "wps":
        return f"{NAMESPACE}.{spec.name}"
    namespaces = [server_namespace.upper()] if host == "server" and server_namespace else []
    return "_".join(["_xldudf", *namespaces, NAMESPACE, spec.name])


def _calls(formula: str, host: Host, server_namespace: str) -> list[tuple[int, int, str]]:
    """(start, end, new spelling) of each call in ``formula`` that ``host`` spells differently."""
    if not _OURS_RE.search(formula):
        return []
    try:
        tokens = tokenize(formula)
    except FormulaSyntaxError as exc:
        raise TemplateError(str(exc)) from None
    edits = []
    for tok in tokens:
        spec = lookup(tok.text) if tok.kind == "func" else None
        if spec is not None:
            new = host_spelling(spec, host, server_namespace)
            if new != tok.text:
                edits.append((tok.pos, tok.pos + len(tok.text), new))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    at = 0
    for start, end, new in edits:
        out += [text[at:start], new]
        at = end
    return "".join(out) + text[at:]


def respell(formula: str, host: Host, server_namespace: str = SERVER_NAMESPACE) -> tuple[str, int]:
    """``formula`` with every call to a registry function in ``host``'s spelling.

    Returns the new text and the number of calls respelt. Text in string
    literals, sheet names and other functions is untouched.

    >>> respell('IF(A1>0,TIERED(A1,T,"超额"),"TIERED(")', "lite")
    ('IF(A1>0,_xldudf_JX_TIERED(A1,T,"超额"),"TIERED(")', 1)
    >>> respell("XLWINGS.JX.MONEY(_xldudf_JX_MONEY(B2))", "classic")
    ('MONEY(MONEY(B2))', 2)
    """
    edits = _calls(formula, host, server_namespace)
    return _apply(formula, edits), len(edits)


@dataclass
class Conversion:
    """What :func:`convert_template` changed: calls respelt per sheet (or package part)."""

    calls: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


_CELL_REF_RE = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z0-9$]+)["']""")
_NAME_ATTR_RE = re.compile(rb"""\bname\s*=\s*["']([^"']*)["']""")


def _where(xml: bytes, m: re.Match[bytes], where: str) -> str:
    """``Sheet!B7`` for a cell formula, ``name 合计`` for a defined name, else the part."""
    if m.group(1).endswith(b"definedName"):
        name = _NAME_ATTR_RE.search(m.group(2) or b"")
        return f"名称 / name {name.group(1).decode('utf-8')}" if name else where
    if m.group(1).split(b":")[-1] == b"f":
        cells = _CELL_REF_RE.findall(xml, max(0, m.start() - 4096), m.start())
        if cells:
            return f"{where}!{cells[-1].decode('ascii')}"
    return where


def _respell_part(
    xml: bytes, where: str, host: Host, server_namespace: str, conversion: Conversion
) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        raw = m.group(3).decode("utf-8")
        text, offsets = _decode(raw)
        try:
            edits = _calls(text, host, server_namespace)
        except TemplateError as exc:
            raise TemplateError(f"{_where(xml, m, where)}: ={text}: {exc}") from None
        if not edits:
            return m.group(0)
        conversion.calls[where] += len(edits)
        new = _apply(raw, [(offsets[start], offsets[end], name) for start, end, name in edits])
        head = m.group(0)[: m.start(3) - m.start(0)]
        return head + new.encode("utf-8") + b"</" + m.group(1) + b">"

    return _FORMULA_RE.sub(one, xml)


def convert_template(
    source: str | Path, dest: str | Path, host: Host, server_namespace: str = SERVER_NAMESPACE
) -> Conversion:
    """Write ``source`` to ``dest`` with every contract call in ``host``'s spelling.

    Raises :class:`~addin.xlsx.model.UnreadableWorkbookError` for a file that
    is not a workbook and :class:`TemplateError` for a formula that mentions
    one of our functions but cannot be read; ``dest`` is then not written.
    """
    source, dest = Path(source), Path(dest)
    conversion = Conversion()
    with read_input(source) as original, open_workbook(source, data=original) as package:
        # The reader refresh and validate use: whatever they refuse (damaged parts and
        # attributes, array ranges past the limit …) is refused here too, before a
        # file another program would open is written.
        repairs = read_workbook(source, data=original, formula_values=False).repairs
        echo_repairs(source, repairs)
        sheets = {sp.part: sp.name for sp in package.sheet_parts}
        changed: dict[str, bytes | Deflated] = {}
        for info in package.infos:
            if not info.filename.lower().endswith(".xml"):
                continue
            xml = package.read(info.filename)
            where = sheets.get(info.filename, info.filename)
            new = _respell_part(xml, where, host, server_namespace, conversion)
            if new != xml:
                changed[info.filename] = new
        removed = repair_formulas(package, changed, repairs)  # as Excel would on opening
        write_package(source, package, changed, dest, data=original, removed=removed)
    return conversion


def spellings_in(path: str | Path) -> Counter[str]:
    """How often each spelling of a registry function is called in ``path``'s formulas.

    Used by the tests and by ``jixiao template`` to show what a file holds.
    """
    found: Counter[str] = Counter()
    with open_package(path) as package:
        for info in package.infos:
            if not info.filename.lower().endswith(".xml"):
                continue
            for m in _FORMULA_RE.finditer(package.read(info.filename)):
                text = _decode(m.group(3).decode("utf-8"))[0]
                if not _OURS_RE.search(text):
                    continue
                found.update(t.text for t in tokenize(text) if t.kind == "func" and lookup(t.text))
    return found


def _default_out(source: Path, host: Host) -> Path:
    return source.with_name(f"{source.stem}.{host}{source.suffix}")


@click.command("template")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--host",
    "host",
    type=click.Choice(HOSTS),
    required=True,
    help="加载项方式 / the add-in path: classic (Windows VBA), lite (xlwings Lite), server (xlwings Server), "
    "wps (WPS 表格 JS 加载项 / WPS Spreadsheets JS add-in)",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="输出文件（默认 原名.HOST.xlsx）/ output file (default NAME.HOST.xlsx beside the input)",
)
@click.option("--server-namespace", default=SERVER_NAMESPACE, show_default=True,
              help="xlwings Server 清单的命名空间（空串表示无）/ the server manifest's namespace ('' for none)")  # fmt: skip
@language_option()
def template_command(workbook: Path, host: Host, out: Path | None, server_namespace: str, lang: str) -> None:
    """把工作簿中的 jixiao 函数改写为所选加载项的写法。

    退出码：0 已写出，1 有公式无法读取，2 文件不是可读的工作簿。

    Rewrite every jixiao function call in WORKBOOK (formulas and defined names)
    to the spelling the chosen add-in path registers, into a new file; the
    original is never changed. Exit code: 0 written, 1 a formula could not be
    read, 2 the file is not a readable workbook.
    """
    dest = out if out is not None else _default_out(workbook, host)
    if dest.resolve() == workbook.resolve():
        click.echo(say(lang, "输出文件不能是原文件", "the output must not be the input file"), err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        conversion = convert_template(workbook, dest, host, server_namespace)
    except UnreadableWorkbookError as exc:
        click.echo(f"{workbook}: {pick(str(exc), lang)}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except TemplateError as exc:
        click.echo(say(lang, f"{workbook}：无法读取公式：{exc}", f"{workbook}: cannot read a formula: {exc}"), err=True)
        sys.exit(EXIT_FORMULA)
    _report(dest, host, conversion, sys.stdout, lang)


def _report(dest: Path, host: Host, conversion: Conversion, stream: IO[str], lang: str) -> None:
    click.echo(
        say(lang, f"已写出 {dest}（{host}）：改写 {conversion.total} 处调用",
            f"wrote {dest} ({host}): {conversion.total} calls respelt"),
        file=stream,
    )
    for spelling, n in sorted(spellings_in(dest).items()):
        click.echo(f"  {spelling}: {n}", file=stream)
