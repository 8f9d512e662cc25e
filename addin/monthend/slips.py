"""``jixiao slips WORKBOOK``: the pay slips (工资条) of a refreshed workbook.

Per person: the header row(s), the person's row(s) and, under each amount a
contract function computed, the kernel's explanation of it (the same code as
``jixiao explain``: :mod:`addin.monthend.kernel_detail`). ``-o OUT`` writes one
printable xlsx (a blank row to cut along after each slip, A4, no slip split
across pages); ``--split DIR`` one file per person named by key and name
(``--pdf``: PDF through LibreOffice), each written fresh and holding only that
person's values. Which sheet and columns: :mod:`addin.monthend.slip_plan`.

Values are the ones cached in the file; a file without them is recalculated
first (and the command says so). A summary line gives the number of slips and
the total paid, checked against the sheet's own total.

工资条：每人一块（表头、本人的行、合同函数金额的计算说明），可打印的总表或每人一个文件。
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click

from addin.language import Lang, language_option, say
from addin.monthend.explain import _Explainer, _span
from addin.monthend.slip_book import SlipBlock, SlipWriter, book_rows, read_look, write_slips
from addin.monthend.slip_plan import TOTAL_WORDS, SlipPlan, SlipPlanError, plan_from_spec
from addin.monthend.values import Loaded, load, readable_or_exit
from addin.refresh.deep_stack import with_deep_stack
from addin.summary import EXIT_ERRORS, EXIT_NOT_WRITTEN, EXIT_OK
from addin.validate.formulas import FormulaBlocks
from addin.xlsx.a1 import MAX_ROW, to_a1
from addin.xlsx.formula import FormulaSyntaxError, Func, Node, function_names, parse
from addin.xlsx.model import CellValue, Coord, Formula, Sheet, Workbook
from udfs.errors import ExcelError
from udfs.explain import EXPLAINERS, in_language, number_text

__all__ = ["Person", "SlipRun", "blocks_of", "file_stem", "make_slips", "plan_for", "slips_command"]



@dataclass(slots=True)  # one per person: a million on a big sheet
class Person:
    """One slip: the key, the name, the person's rows and what they are paid."""

    key: str
    name: str
    rows: list[int]
    paid: Decimal = Decimal(0)
    notes: list[tuple[int, int, str, list[str]]] = field(default_factory=list)  # (row, col, function, lines)


@dataclass
class SlipRun:
    """Everything one run found: the plan, the people, totals and problems."""

    loaded: Loaded
    plan: SlipPlan
    people: list[Person]
    total: Decimal
    sheet_total: Decimal
    stated_total: Decimal | None  # a 合计 row's paid amount, when the sheet has one
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def workbook(self) -> Workbook:
        return self.loaded.workbook


def _key_text(v: CellValue) -> str:
    return "" if v is None else number_text(v).strip()


def _decimal(v: CellValue) -> Decimal:
    return Decimal(repr(float(v))) if isinstance(v, int | float) and not isinstance(v, bool) else Decimal(0)


def plan_for(
    loaded: Loaded, spec: dict[str, Any] | None, options: dict[str, Any]
) -> tuple[SlipPlan, str]:
    """The slip plan and where it came from: options over the spec's ``slip``
    (given, or the template's own) over what the workbook shows."""
    from addin.maintain.spec_init import infer_slip
    from addin.validate import find_spec

    wb = loaded.workbook
    entry = (spec or {}).get("slip")
    origin = "spec"
    if entry is None and spec is None and loaded.template_id:
        entry = (find_spec(loaded.template_id) or {}).get("slip")
        origin = "template"
    if entry is None:
        plan = infer_slip(wb)
        origin = "inferred"
        if plan is None and not options.get("sheet"):
            raise SlipPlanError(
                "找不到工资条所在的表：请用 --sheet 与 --key 指明，或在结构说明中写 slip（docs/spec-format.md）",
                "cannot tell which sheet holds the pay: give --sheet and --key, or a spec with slip "
                "(docs/spec-format.md)",
            )
        entry = plan.as_spec() if plan is not None else {}
    given = {k: v for k, v in options.items() if v}
    if given:
        origin = "options" if origin == "inferred" or "sheet" in given else origin + "+options"
        if "sheet" in given and given["sheet"] != entry.get("sheet"):
            entry = {"sheet": given["sheet"], "header_row": given.get("header_row") or 1}
        entry = {**entry, **given}
        if "key" not in entry:
            raise SlipPlanError("请用 --key 指明工号列", "give the key column with --key")
    return plan_from_spec(wb, entry), origin


class _Calls:
    """The explained functions a formula calls, worked out once per formula
    text — and once per block (a shared group at one column offset, or a
    column filled down cell by cell: moving a formula changes its references,
    never its functions), so a million rows of one formula are parsed once; a
    formula whose text names none of them is not parsed at all."""

    def __init__(self) -> None:
        self.known: dict[object, list[Func]] = {}
        self.blocks = FormulaBlocks()

    def of(self, sheet: Sheet, f: Formula, coord: tuple[int, int]) -> list[Func]:
        key: object = self.blocks.key(sheet, coord, f) or f.text
        got = self.known.get(key)
        if got is None and not any(name in f.text.upper() for name in EXPLAINERS):
            got = self.known[key] = []  # no explained function named: nothing to parse
        if got is None:
            try:
                node: Node = parse(f.text)
            except FormulaSyntaxError:
                got = []
            else:
                got = [fn for fn in function_names(node) if fn.base_name in EXPLAINERS]
            self.known[key] = got
        return got


def _explanations(ex: _Explainer, sheet: str, coord: tuple[int, int], calls: _Calls
                  ) -> list[tuple[str, list[str]]]:  # fmt: skip
    """The kernel's explanation of each contract function the cell's formula calls."""
    found = ex.formula_of(sheet, coord)
    if found is None:
        return []
    f, here = found
    if not calls.of(ex.wb.sheet(here.sheet), f, here.anchor):
        return []
    details = ex.contract_details(parse(f.text), here)
    value = ex.value(sheet, coord)
    # of several calls (the branches of an IF), the ones that gave the cell its value
    matching = [d for d in details if "result" in d and d["result"] == value]
    out: list[tuple[str, list[str]]] = []
    for d in matching or details:
        shown = (str(d["function"]), [str(line) for line in d["lines"]])
        if shown not in out:
            out.append(shown)
    return out


def _names_explained(text: str) -> bool:
    upper = text.upper()
    return any(name in upper for name in EXPLAINERS)


class _Explained:
    """The cells of the slip's columns whose formula — their own, or an array
    formula's covering them — names a contract function the kernel explains:
    found once per block (:meth:`SheetFormulas.spans`: a column filled down is
    one text), so a sheet whose formulas name none costs no look-up per cell.
    Moving a formula changes its references, never the functions it names."""

    def __init__(self, sheet: Sheet, columns: tuple[int, ...]) -> None:
        wanted = set(columns)
        spans: dict[int, list[tuple[int, int]]] = {}
        for (_row, col), f, rows in sheet.formulas.spans():
            if not _names_explained(f.text):
                continue
            if f.ref:
                (r1, c1), (r2, c2) = _span(f.ref)
                for c in range(c1, c2 + 1):
                    if c in wanted:
                        spans.setdefault(c, []).append((r1, r2))
            elif col in wanted:
                spans.setdefault(col, []).append((rows.start, rows.stop - 1))
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}  # the furthest row reached by a span starting at or above
        for col, found in spans.items():
            found.sort()
            reach = 0
            ends = []
            for _first, last in found:
                reach = max(reach, last)
                ends.append(reach)
            self._starts[col], self._ends[col] = [first for first, _last in found], ends

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __contains__(self, coord: Coord) -> bool:
        starts = self._starts.get(coord[1])
        if starts is None:
            return False
        i = bisect_right(starts, coord[0]) - 1
        return i >= 0 and self._ends[coord[1]][i] >= coord[0]


class SlipBookTooLongError(Exception):
    """The printable slips would pass the last row of a sheet."""

    def __init__(self, people: int, rows: int) -> None:
        super().__init__(f"{people} slips need {rows} rows")
        self.people, self.rows = people, rows


#: a key or name saying its row is the sheet's total (casefolded)
_TOTAL = re.compile("|".join(re.escape(w.casefold()) for w in TOTAL_WORDS))


def make_slips(
    loaded: Loaded, plan: SlipPlan, *, explain: bool = True, progress: Any = None, row_limit: int | None = None
) -> SlipRun:
    """The people of ``plan``'s sheet, grouped by key in order of appearance,
    with their pay and the explanations of their computed amounts.

    With ``row_limit`` (the printable book's sheet), raises
    :class:`SlipBookTooLongError` as soon as the slips are known to need more
    rows than that — before any explanation is worked out: at least the
    summary and a blank row, then per person the header, their rows and the
    cut row (explanations only add to it)."""
    wb = loaded.workbook
    sheet = wb.sheet(plan.sheet)
    get = sheet.values.get
    key_col, name_col, paid, columns = plan.key, plan.name, plan.paid, plan.columns
    end = max(plan.last_row or 0, plan.first_row)
    ends = (key_col, *(paid or ()))
    while True:
        for c in ends:
            if get((end + 1, c)) not in (None, ""):
                break
        else:
            break
        end += 1
    people: dict[str, Person] = {}
    problems: list[tuple[str, str]] = []
    sheet_total = Decimal(0)
    stated: Decimal | None = None
    zero = Decimal(0)
    total_in = _TOTAL.search
    # each cell read once a row: the key, name and paid columns are mostly shown too
    read = tuple(dict.fromkeys((*columns, key_col, *((name_col,) if name_col else ()), *paid)))
    at = {c: i for i, c in enumerate(read)}
    key_at, name_at, paid_at = at[key_col], at[name_col] if name_col else None, [at[c] for c in paid]
    shown_at = [(at[c], c) for c in columns]
    # the printable book's rows so far: the summary and a blank row, then per
    # person the header, their rows and the cut row (explanations only add to it)
    header = plan.header_row - plan.header_first + 1
    least = 2
    # once past ``row_limit``, the people are only counted (for the message)
    counted: set[str] | None = None
    for row in range(plan.first_row, end + 1):
        cells = [get((row, c)) for c in read]
        v = cells[key_at]
        key = v.strip() if isinstance(v, str) and v.__class__ is str else _key_text(v)
        if name_at is None:
            name = ""
        else:
            v = cells[name_at]
            name = v.strip() if isinstance(v, str) and v.__class__ is str else _key_text(v)
        amount = zero
        for i in paid_at:
            amount += _decimal(cells[i])
        if total_in(key.casefold()) or total_in(name.casefold()):
            stated = amount
            continue
        sheet_total += amount
        for i, c in shown_at:
            v = cells[i]
            if isinstance(v, ExcelError):
                where = f"{plan.sheet}!{to_a1(row, c)}"
                problems.append((f"{where} 是错误值 {v}", f"{where} holds the error {v}"))
        if not key:
            if amount:
                where = f"{plan.sheet}!{to_a1(row, plan.key)}"
                problems.append((f"{where} 没有工号，但本行有应发金额 {amount}，未出工资条",
                                 f"{where} has no key but row {row} pays {amount}: no slip made"))
            continue
        if counted is not None:
            if key not in counted:
                counted.add(key)
                least += header + 1
            least += 1
            continue
        person = people.get(key)
        if person is None:
            person = people[key] = Person(key, name, [])
            least += header + 1
        elif name and person.name and name != person.name:
            problems.append((f"{plan.sheet} 第 {row} 行：工号 {key} 的姓名 {name} 与前面的 {person.name} 不同",
                             f"{plan.sheet} row {row}: key {key} has name {name!r}, earlier {person.name!r}"))
        person.rows.append(row)
        person.paid += amount
        least += 1
        if row_limit is not None and least > row_limit:
            counted = set(people)  # no Person (rows, pay) kept for a book never written
            people.clear()
    if counted is not None:
        raise SlipBookTooLongError(len(counted), least)
    explained = _Explained(sheet, columns) if explain else None
    if explained:
        ex = _Explainer(loaded, None)
        calls = _Calls()
        for person in people.values():
            for row in person.rows:
                for c in columns:
                    if (row, c) in explained:
                        for function, lines in _explanations(ex, plan.sheet, (row, c), calls):
                            person.notes.append((row, c, function, lines))
            if progress is not None:
                progress.update()
    total = sum((p.paid for p in people.values()), Decimal(0))
    return SlipRun(loaded, plan, list(people.values()), total, sheet_total, stated, problems)


def _header_text(run: SlipRun, col: int) -> str:
    values = run.workbook.sheet(run.plan.sheet).values
    for row in range(run.plan.header_row, run.plan.header_first - 1, -1):
        text = _key_text(values.get((row, col)))
        if text:
            return text
    return to_a1(run.plan.header_row, col)


def blocks_of(run: SlipRun, people: Iterable[Person], lang: Lang) -> Iterator[SlipBlock]:
    """Each person's slip block, made as it is asked for (the book is written
    one block at a time): header rows, their rows, explained amounts."""
    plan = run.plan
    sheet = run.workbook.sheet(plan.sheet)
    get = sheet.values.get
    columns = plan.columns
    header_rows = list(range(plan.header_first, plan.header_row + 1))
    header = [[None if (r, c) in sheet.formulas else get((r, c)) for c in columns] for r in header_rows]
    for p in people:
        # an error shown as its text
        rows: list[list[CellValue]] = [
            [str(v) if isinstance(v := get((r, c)), ExcelError) else v for c in columns] for r in p.rows
        ]
        yield SlipBlock(header, header_rows, rows, list(p.rows), _notes(run, p, lang))


def _notes(run: SlipRun, p: Person, lang: Lang) -> list[tuple[str, list[str]]]:
    """A person's explained amounts: one note per explanation, the amounts
    explained in the same words sharing it (label, lines)."""
    if not p.notes:
        return []
    notes: dict[tuple[str, ...], list[str]] = {}
    for row, col, function, lines in p.notes:
        label = _header_text(run, col)
        if len(p.rows) > 1:
            label += say(lang, f"（第 {row} 行）", f" (row {row})", sep="")
        text = tuple(in_language(line, lang) for line in lines)
        notes.setdefault(text, []).append(f"{label} {function}")
    joined = [("; " if lang == "en" else "、").join(labels) for labels in notes.values()]
    return [(label, list(text)) for label, text in zip(joined, notes, strict=True)]


def _book_rows(run: SlipRun, lang: Lang) -> int:
    """The rows of the printable book (:func:`book_rows`): each person's
    header rows, rows and notes."""
    header = run.plan.header_row - run.plan.header_first + 1
    return book_rows(((header, len(p.rows), len(_notes(run, p, lang))) for p in run.people), summary=True, cut=True)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_stem(person: Person) -> str:
    """``工号_姓名`` made safe as a file name."""
    stem = "_".join(part for part in (person.key, person.name) if part)
    return _UNSAFE.sub("_", stem).strip(". ") or "slip"


def _money(d: Decimal) -> str:
    return f"{d:,.2f}"


def _to_pdf(sources: list[Path], outdir: Path) -> list[str]:
    """Convert with a private headless LibreOffice; the sources that failed."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return [s.name for s in sources]
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", str(outdir), *map(str, sources)]
        subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    return [s.name for s in sources if not (outdir / (s.stem + ".pdf")).is_file()]


def _progress(total: int | None, desc: str) -> Any:
    """A progress bar on standard error, drawn only on a terminal (tqdm's rule)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="人", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)


def _too_long(lang: Lang, exc: SlipBookTooLongError) -> NoReturn:
    """Refuse a printable book past Excel's last row (nothing written, exit 2):
    Excel and LibreOffice would not open it."""
    click.echo(say(
        lang,
        f"{exc.people} 张工资条需要 {exc.rows:,} 行，超过一个工作表的上限 {MAX_ROW:,} 行（Excel 与 LibreOffice "
        "打不开）：未写出。请用 --split 文件夹 每人写一个文件",
        f"{exc.people} slips need {exc.rows:,} rows, more than a sheet holds ({MAX_ROW:,}; Excel and "
        "LibreOffice could not open it): nothing written. Write one file per person with --split FOLDER",
    ), err=True)
    sys.exit(EXIT_NOT_WRITTEN)


def _tell(lang: Lang, zh: str, en: str) -> None:
    click.echo(say(lang, zh, en))


@click.command("slips", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="可打印的工资条总表（默认 工作簿名.slips.xlsx）/ the printable slips (default BOOK.slips.xlsx)")
@click.option("--split", "split_dir", type=click.Path(file_okay=False, path_type=Path),
              help="每人一个文件写到此文件夹 / one file per person into this folder")
@click.option("--pdf", is_flag=True, help="--split 时写 PDF（经 LibreOffice）/ with --split: PDF through LibreOffice")
@language_option()
@click.option("--spec", "spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="结构说明（其中 slip 一项）/ a structure spec with a slip entry")
@click.option("--sheet", help="工资所在工作表 / the sheet")
@click.option("--key", help="工号列（表头或列字母）/ key column (header or letter)")
@click.option("--name", "name_col", help="姓名列 / name column")
@click.option("--columns", help="工资条显示的列，逗号分隔 / columns shown, comma-separated")
@click.option("--paid", help="实发金额列，逗号分隔 / paid-out column(s)")
@click.option("--header-row", type=click.IntRange(min=1), help="表头所在行 / the header row")
@click.option("--no-explain", is_flag=True, help="不附计算说明 / leave out the explanations")
def slips_command(
    workbook: Path, output: Path | None, split_dir: Path | None, pdf: bool, lang: Lang, spec_file: Path | None,
    sheet: str | None, key: str | None, name_col: str | None, columns: str | None, paid: str | None,
    header_row: int | None, no_explain: bool,
) -> None:  # fmt: skip
    """工资条：每人一块表头与本人的行，合同函数算出的金额附计算说明。

    退出码：0 已写出；1 已写出但有错误值、无工号的应发金额或合计不符；2 未写出
    （包括总表会超过一个工作表的 1,048,576 行时）。

    Pay slips: per person the header row(s) and their row(s), with the kernel's
    explanation under each amount a contract function computed. Exit codes:
    0 written; 1 written, but a slip cell holds an error, a row pays without a
    key or the totals disagree; 2 nothing written (also when the printable
    book would pass a sheet's 1,048,576 rows: use --split).
    """
    from addin.validate.specfile import SpecError, load_spec

    if pdf and split_dir is None:
        raise click.UsageError("--pdf 须与 --split 同用 / --pdf needs --split")
    try:
        spec = load_spec(spec_file) if spec_file else None
    except SpecError as exc:
        click.echo(exc.render(lang), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    with readable_or_exit(workbook):
        loaded = load(workbook)
    if loaded.recalculated:
        _tell(lang, f"{workbook.name} 没有缓存的计算结果，已先重算", f"{workbook.name} has no cached values: recalculated first")
    options = {"sheet": sheet, "key": key, "name": name_col, "header_row": header_row,
               "columns": columns.split(",") if columns else None, "paid": paid.split(",") if paid else None}
    try:
        plan, origin = plan_for(loaded, spec, options)
    except SlipPlanError as exc:
        click.echo(say(lang, exc.zh, exc.en), err=True)
        sys.exit(EXIT_NOT_WRITTEN)
    book = split_dir is None or output is not None
    try:
        with _progress(None, "explain") as progress:
            # explanations walk formula trees (as deep as Excel allows) recursively
            run = with_deep_stack(lambda: make_slips(loaded, plan, explain=not no_explain, progress=progress,
                                                     row_limit=MAX_ROW if book else None))
    except SlipBookTooLongError as exc:
        _too_long(lang, exc)
    if not run.people:
        _tell(lang, f"{plan.sheet} 中没有人员（工号列为空）", f"no people in {plan.sheet} (the key column is empty)")
        sys.exit(EXIT_NOT_WRITTEN)
    where = {"template": "模板的结构说明", "spec": "结构说明", "inferred": "按表头识别", "options": "命令行选项"}
    where_en = {"template": "the template's spec", "spec": "the spec", "inferred": "read from the headers",
                "options": "the options"}
    base = origin.split("+")[0]
    shown = ", ".join(_header_text(run, c) for c in plan.columns)
    _tell(lang, f"工资条：{plan.sheet}（{where[base]}），工号列 {_header_text(run, plan.key)}，显示 {shown}",
         f"slips: {plan.sheet} ({where_en[base]}), key {_header_text(run, plan.key)}, showing {shown}")
    look = read_look(workbook, plan.sheet, range(plan.header_first, plan.header_row + 1),
                     {r for p in run.people for r in p.rows}, plan.columns)
    first_row = run.people[0].rows[0]
    paid_fmt = next((cell.number_format for cell in (look.cell(first_row, c) for c in plan.paid) if cell is not None),
                    "#,##0.00")
    paid_names = "、".join(_header_text(run, c) for c in plan.paid)
    total_word = "" if paid_names.endswith("合计") or (len(plan.paid) == 1 and "合计" in paid_names) else "合计"
    label = say(lang, f"共 {len(run.people)} 张工资条，{paid_names}{total_word}", f"{len(run.people)} slips, total {paid_names}")
    title = say(lang, "工资条", "Pay slips")
    if book:
        output = output or workbook.with_name(workbook.stem + ".slips.xlsx")
        rows = _book_rows(run, lang)
        if rows > MAX_ROW:
            _too_long(lang, SlipBookTooLongError(len(run.people), rows))
        write_slips(output, blocks_of(run, run.people, lang), plan.columns, look, title=title,
                    summary=(label, float(run.total) if plan.paid else None, paid_fmt))
        _tell(lang, f"已写出 {output}", f"written: {output}")
    if split_dir is not None:
        split_dir.mkdir(parents=True, exist_ok=True)
        names: set[str] = set()
        with tempfile.TemporaryDirectory(prefix="jixiao-slips-") as tmp, \
                _progress(len(run.people), "slips") as progress:  # fmt: skip
            made: list[Path] = []
            writer = SlipWriter(plan.columns, look, title)
            for person in run.people:
                stem = file_stem(person)
                while stem.casefold() in names:
                    stem += "_"
                names.add(stem.casefold())
                target = (Path(tmp) if pdf else split_dir) / f"{stem}.xlsx"
                writer.write(target, blocks_of(run, [person], lang), cut=False)
                made.append(target)
                progress.update()
            if pdf:
                failed = _to_pdf(made, split_dir)
                if failed:
                    click.echo(say(lang, "无法转为 PDF（需要 LibreOffice）：",
                               "could not convert to PDF (LibreOffice needed): ") + ", ".join(failed), err=True)
                    sys.exit(EXIT_NOT_WRITTEN)
        _tell(lang, f"已写出 {len(run.people)} 个文件到 {split_dir}", f"written: {len(run.people)} files in {split_dir}")
    _tell(lang, f"{label} {_money(run.total)}", f"{label} {_money(run.total)}")
    problems = list(run.problems)
    if plan.paid and run.total != run.sheet_total:
        problems.append((f"工资条合计 {_money(run.total)} 与表中合计 {_money(run.sheet_total)} 不符",
                         f"the slips total {_money(run.total)}, the sheet {_money(run.sheet_total)}"))
    if run.stated_total is not None and run.stated_total != run.total:
        problems.append((f"工资条合计 {_money(run.total)} 与表中“合计”行 {_money(run.stated_total)} 不符",
                         f"the slips total {_money(run.total)}, the sheet's total row {_money(run.stated_total)}"))
    if not problems and plan.paid:
        _tell(lang, "与表中合计一致", "equals the sheet's total")
    for zh, en in problems:
        click.echo("✗ " + say(lang, zh, en), err=True)
    sys.exit(EXIT_ERRORS if problems else EXIT_OK)

