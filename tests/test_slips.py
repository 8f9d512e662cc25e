"""``jixiao slips``: pay slips for every template and for offices' own sheets.

The leak test: every per-person file's every part (unzipped) is searched for
every other person's key, name, texts and amounts — as text, as a number and
as a shared string — and none may appear. A bounded fuzz does the same over
random sheets carrying traps (hidden columns, other sheets, defined names,
comments, document properties full of everyone's pay).
"""

from __future__ import annotations

import contextlib
import random
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from openpyxl import Workbook as XlWorkbook
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName

from addin.monthend.slip_plan import SlipPlan
from addin.monthend.slips import SlipRun, file_stem, make_slips, plan_for, slips_command
from addin.monthend.values import load
from udfs.errors import ExcelError
from udfs.explain import number_text

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "workbooks" / "templates").glob("t*.xlsx"))
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _slips(workbook: Path, tmp: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp / "split"
    result = CliRunner().invoke(slips_command, [str(workbook), "--split", str(out), *args])
    return result.exit_code, result.output, out


_RUNS: dict[Path, SlipRun] = {}


def _run(workbook: Path, **options: object) -> SlipRun:
    if not options and workbook in _RUNS:
        return _RUNS[workbook]
    loaded = load(workbook)
    plan, _ = plan_for(loaded, None, dict(options))
    run = make_slips(loaded, plan)
    if not options:
        _RUNS[workbook] = run
    return run


def _values(run: SlipRun, rows: list[int]) -> tuple[set[str], set[float]]:
    """The texts and the numbers of the slip's cells in ``rows``."""
    values = run.workbook.sheet(run.plan.sheet).values
    texts, numbers = set(), set()
    for r in rows:
        for c in run.plan.columns:
            v = values.get((r, c))
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, int | float):
                numbers.add(round(float(v), 6))
            else:
                texts.add(str(v).strip())
    return texts, numbers


def _parts(path: Path) -> tuple[str, set[float]]:
    """All of a file's text (every part, XML text and attributes) and every
    number written in it."""
    text, numbers = [], set()
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            raw = data.decode("utf-8", errors="replace")
            text.append(raw)
            try:
                root = etree.fromstring(data)
            except etree.XMLSyntaxError:
                continue
            for el in root.iter():
                for chunk in (el.text, *el.attrib.values()):
                    if not chunk:
                        continue
                    text.append(chunk)
                    if el.text is chunk:  # numbers in values and text, not in layout attributes
                        for tok in NUMBER.findall(chunk):
                            with contextlib.suppress(ValueError):
                                numbers.add(round(float(tok.replace(",", "")), 6))
    return "\n".join(text), numbers


def _distinctive(n: float) -> bool:
    """Amounts that cannot be a file's layout numbers or a small count."""
    return abs(n) >= 100 or (n != int(n) and abs(n) >= 1)


def assert_no_leak(run: SlipRun, folder: Path, *, header_texts: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """Every person's file holds no other person's key, name, text or amount.
    Returns the number of values searched for."""
    people = run.people
    own = {p.key: _values(run, p.rows) for p in people}
    files = {p.key: folder / f"{file_stem(p)}.xlsx" for p in people}
    searched = 0
    for p in people:
        assert files[p.key].is_file(), files[p.key]
        text, numbers = _parts(files[p.key])
        my_texts, my_numbers = own[p.key]
        mine = " ".join(my_texts) + " " + " ".join(header_texts)
        for q in people:
            if q is p:
                continue
            for word in (q.key, q.name):
                if word and word not in mine:
                    searched += 1
                    assert word not in text, f"{p.key}'s slip holds {q.key}'s {word!r}"
            q_texts, q_numbers = own[q.key]
            for t in q_texts - my_texts:
                if len(t) >= 2 and t not in mine:
                    searched += 1
                    assert t not in text, f"{p.key}'s slip holds {q.key}'s text {t!r}"
            for n in q_numbers - my_numbers:
                if _distinctive(n):
                    searched += 1
                    assert n not in numbers, f"{p.key}'s slip holds {q.key}'s amount {n}"
    return searched


def _headers(run: SlipRun) -> set[str]:
    values = run.workbook.sheet(run.plan.sheet).values
    return {str(v) for (r, _c), v in values.items() if run.plan.header_first <= r <= run.plan.header_row and v}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_template_slips_leak_nothing(template: Path, tmp_path: Path) -> None:
    code, output, folder = _slips(template, tmp_path)
    assert code == 0, output
    run = _run(template)
    assert run.plan.source == "spec"
    assert len(list(folder.glob("*.xlsx"))) == len(run.people) > 0
    searched = assert_no_leak(run, folder, header_texts=_headers(run))
    assert searched > len(run.people) * 4
    # the summary line equals the sheet's own total
    assert run.total == run.sheet_total
    assert f"共 {len(run.people)} 张工资条" in output
    assert f"{run.total:,.2f}" in output


@pytest.mark.parametrize("template", TEMPLATES[:1], ids=lambda p: p.stem)
def test_split_file_holds_only_its_person(template: Path, tmp_path: Path) -> None:
    code, output, folder = _slips(template, tmp_path)
    assert code == 0, output
    run = _run(template)
    person = run.people[0]
    path = folder / f"{file_stem(person)}.xlsx"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        workbook = zf.read("xl/workbook.xml").decode()
    assert [n for n in names if n.startswith("xl/worksheets/")] == ["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet
    assert "<f " not in sheet
    assert 'hidden="1"' not in sheet
    assert "<definedName " not in workbook
    assert not any("comments" in n or "custom.xml" in n for n in names)
    wb = load_workbook(path)
    ws = wb.active
    keys = [c.value for c in ws["A"] if c.value not in (None, "工号") and "\n" not in str(c.value)]
    assert keys == [person.key]
    # the amount keeps the sheet's own money format, and the explanation is Chinese
    money = [c for row in ws.iter_rows() for c in row if isinstance(c.value, int | float) and "¥" in c.number_format]
    assert money, "no cell in the sheet's money format"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and "POINT_BONUS" in c.value]
    assert notes
    assert "档" in notes[0]
    assert " / " not in notes[0]


def test_english_explanations(tmp_path: Path) -> None:
    template = TEMPLATES[0]
    code, output, folder = _slips(template, tmp_path, "--lang", "en")
    assert code == 0, output
    assert "slips" in output
    assert "工资条：" not in output
    ws = load_workbook(next(folder.glob("*.xlsx"))).active
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and "POINT_BONUS" in c.value]
    assert notes
    assert "band" in notes[0]
    assert "档" not in notes[0].split("\n", 1)[1]


def test_printable_file_layout(tmp_path: Path) -> None:
    template = TEMPLATES[0]
    out = tmp_path / "slips.xlsx"
    result = CliRunner().invoke(slips_command, [str(template), "-o", str(out)])
    assert result.exit_code == 0, result.output
    run = _run(template)
    ws = load_workbook(out).active
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks, "no page breaks: the slips would be split across pages"
    # each slip: header, row, explanations, a blank row; a break only ever falls on a blank row
    header_rows = [c.row for c in ws["A"] if c.value == "工号"]
    assert len(header_rows) == len(run.people)
    for b in breaks:
        assert all(ws.cell(row=b, column=c).value is None for c in range(1, ws.max_column + 1))
        assert b + 1 in header_rows
    # the summary line: the count and the total, as a number in the sheet's money format
    assert ws["A1"].value.startswith(f"共 {len(run.people)} 张工资条")
    total = [c for c in ws[1] if isinstance(c.value, int | float)]
    assert total
    assert Decimal(repr(float(total[0].value))) == run.total
    assert "¥" in total[0].number_format


@pytest.mark.libreoffice
def test_libreoffice_prints_every_slip_whole(tmp_path: Path) -> None:
    """LibreOffice prints each slip on one page: its key, header and explanation together."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: make libreoffice installs poppler-utils")
    template = TEMPLATES[0]
    out = tmp_path / "slips.xlsx"
    assert CliRunner().invoke(slips_command, [str(template), "-o", str(out)]).exit_code == 0
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], capture_output=True, timeout=300, check=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "slips.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    run = _run(template)
    for p in run.people:
        on = [i for i, page in enumerate(pages) if p.key in page]
        assert len(on) == 1, f"{p.key} printed on pages {on}"
        page = pages[on[0]]
        block = page[page.index(p.key):]
        assert "POINT_BONUS" in block.split("工号")[0] or not p.notes
    for page in pages:
        if page.strip():
            assert page.count("工号") == sum(p.key in page for p in run.people)
            assert "计算方式" not in page or "/" not in page


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_explained_cells_found_by_block_are_all_of_them(template: Path) -> None:
    """The cells worth explaining are found once per block of formulas (a
    filled-down column, an array formula's range); asking every cell of every
    slip one by one, as before, finds the same explanations in the same order."""
    from addin.monthend.explain import _Explainer
    from addin.monthend.slips import _Calls, _explanations

    run = _run(template)
    ex, calls = _Explainer(run.loaded, None), _Calls()
    every = [
        (row, c, function, lines)
        for p in run.people for row in p.rows for c in run.plan.columns
        for function, lines in _explanations(ex, run.plan.sheet, (row, c), calls)
    ]  # fmt: skip
    assert [note for p in run.people for note in p.notes] == every


def _people_book(tmp: Path) -> Path:
    """The corpus's people shape (``people-200k`` in ``make fuzz``): each row's
    formulas its own as openpyxl writes them, no cached values."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from hostile_corpus import _people

    path = tmp / "people.xlsx"
    path.write_bytes(_people(40))
    return path


@pytest.mark.parametrize("template", [*TEMPLATES, None], ids=lambda p: p.stem if p else "people")
def test_printable_book_blocks_hold_their_own_rows(template: Path | None, tmp_path: Path) -> None:
    """Each block of the printable book (made as the book is written) holds
    its person's rows and nothing else: every cell equal to the sheet's
    value, in the number format and weight openpyxl reads from the source
    cell; after them only that person's explanations, then the row to cut."""
    book = template or _people_book(tmp_path)
    options = {} if template else {"sheet": "Sheet1", "key": "A", "header_row": 1}
    args = [] if template else ["--sheet", "Sheet1", "--key", "A", "--header-row", "1"]
    out = tmp_path / "book.xlsx"
    result = CliRunner().invoke(slips_command, [str(book), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    run = _run(book, **options)
    values = run.workbook.sheet(run.plan.sheet).values
    source = load_workbook(book)[run.plan.sheet]
    ws = load_workbook(out).active
    columns = run.plan.columns
    header = run.plan.header_row - run.plan.header_first + 1
    at = 3  # the summary and a blank row above
    for p in run.people:
        at += header
        for row in p.rows:
            for i, c in enumerate(columns, start=1):
                expected = values.get((row, c))
                expected = str(expected) if isinstance(expected, ExcelError) else expected
                got = ws.cell(row=at, column=i)
                shown = to_excel(got.value) if isinstance(got.value, datetime) else got.value  # a date format
                assert shown == (None if expected == "" else expected), (p.key, row, c)
                assert got.number_format == source.cell(row=row, column=c).number_format, (p.key, row, c)
                assert bool(got.font.b) == bool(source.cell(row=row, column=c).font.b), (p.key, row, c)
            at += 1
        while any(ws.cell(row=at, column=i).value is not None for i in range(1, len(columns) + 1)):
            note = ws.cell(row=at, column=1).value
            assert isinstance(note, str), (p.key, at, note)
            assert "：\n" in note, (p.key, at, note)
            assert all(q.key not in note for q in run.people if q is not p and len(q.key) > 2)
            at += 1
        at += 1  # the row to cut along
    assert at - 1 == ws.max_row


# ---------------------------------------------------------------- own sheets

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁"


def _office_workbook(path: Path, rng: random.Random) -> tuple[int, list[tuple[str, str, float]]]:
    """A random office sheet of pay with traps for a leaking slip: a hidden
    column, a second sheet copying everyone, names, comments and properties."""
    wb = XlWorkbook()
    ws = wb.active
    ws.title = rng.choice(["工资", "奖金表", "12月"])
    top = rng.randint(1, 3)
    for r in range(1, top):
        ws.cell(row=r, column=1, value=f"{rng.choice(['东区', '西区'])}营业部奖金表")
    headers = ["工号", "姓名", "岗位", "业绩（元）", "系数", "奖金", "扣款", "实发"]
    for c, h in enumerate(headers, start=1):
        ws.cell(row=top, column=c, value=h)
    n = rng.randint(3, 25)
    people = []
    used: set[str] = set()
    for i in range(n):
        r = top + 1 + i
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
            if name not in used and all(name not in u and u not in name for u in used):
                break
        used.add(name)
        key = f"{rng.choice('ABCDEFGH')}{rng.randint(10000, 99999)}{i:02d}"
        sales = round(rng.uniform(1000, 300000), 2)
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=2, value=name)
        ws.cell(row=r, column=3, value=rng.choice(["营业员", "店长", "客户经理"]))
        ws.cell(row=r, column=4, value=sales)
        ws.cell(row=r, column=5, value=round(rng.uniform(0.5, 1.5), 2))
        ws.cell(row=r, column=6, value=f"=ROUND(D{r}*E{r}*0.03,2)")
        ws.cell(row=r, column=7, value=round(rng.uniform(0, 50), 2) if rng.random() < 0.3 else 0)
        ws.cell(row=r, column=8, value=f"=F{r}-G{r}")
        ws.cell(row=r, column=4).number_format = "#,##0.00"
        ws.cell(row=r, column=8).number_format = "¥#,##0.00"
        if rng.random() < 0.3:
            ws.cell(row=r, column=2).comment = Comment(f"{name} 上月 {sales}", "会计")
        people.append((key, name, sales))
    ws.column_dimensions["C"].hidden = rng.random() < 0.5
    copy = wb.create_sheet("全员汇总")
    for key, name, sales in people:
        copy.append([key, name, sales])
    wb.defined_names["全员"] = DefinedName("全员", attr_text=f"'{ws.title}'!$A${top + 1}:$H${top + n}")
    wb.properties.title = "、".join(p[1] for p in people)
    wb.properties.description = " ".join(p[0] for p in people)
    wb.save(path)
    return top, people


@pytest.mark.parametrize("seed", range(8))
def test_fuzz_office_sheets_leak_nothing(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    book = tmp_path / "own.xlsx"
    top, people = _office_workbook(book, rng)
    args = [] if seed % 2 else ["--sheet", load(book).workbook.sheets[0].name, "--key", "工号", "--name", "姓名",
                                "--paid", "实发", "--header-row", str(top)]
    code, output, folder = _slips(book, tmp_path, *args)
    assert code == 0, output
    assert "已先重算" in output  # openpyxl wrote no cached values
    options = {} if seed % 2 else {"sheet": args[1], "key": "工号", "name": "姓名", "paid": ["实发"], "header_row": top}
    run = _run(book, **options)
    assert [p.key for p in run.people] == [k for k, _n, _s in people]
    assert run.total == run.sheet_total
    assert_no_leak(run, folder, header_texts=_headers(run))
    # nothing of the traps: no other sheet, no comments, no hidden column, not the title
    for p in run.people:
        with zipfile.ZipFile(folder / f"{file_stem(p)}.xlsx") as zf:
            assert not [n for n in zf.namelist() if "comment" in n or n.endswith("sheet2.xml")]
            core = zf.read("docProps/core.xml").decode()
            assert all(name not in core for _k, name, _s in people)


def test_spec_init_writes_the_slip(tmp_path: Path) -> None:
    from addin.maintain.spec_init import infer_spec
    from addin.validate.view import load_view

    book = tmp_path / "own.xlsx"
    top, _people = _office_workbook(book, random.Random(42))
    spec = infer_spec(load_view(book), "own")
    slip = spec["slip"]
    assert (slip["header_row"], slip["key"], slip["name"], slip["paid"]) == (top, "A", "B", ["H"])
    plan, origin = plan_for(load(book), spec, {})
    assert isinstance(plan, SlipPlan)
    assert origin == "spec"


def test_total_row_and_errors_are_reported(tmp_path: Path) -> None:
    wb = XlWorkbook()
    ws = wb.active
    ws.append(["工号", "姓名", "实发"])
    ws.append(["A1", "张三", 100.5])
    ws.append(["A2", "李四", "=1/0"])
    ws.append([None, None, 20])
    ws.append(["合计", None, 999])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    result = CliRunner().invoke(slips_command, [str(path), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1, result.output
    assert "#DIV/0!" in result.output
    assert "C3" in result.output
    assert "没有工号" in result.output
    assert "合计" in result.output


def test_no_sheet_found_is_exit_2(tmp_path: Path) -> None:
    wb = XlWorkbook()
    wb.active["A1"] = 1
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    result = CliRunner().invoke(slips_command, [str(path)])
    assert result.exit_code == 2, result.output
    assert "--sheet" in result.output


def test_key_text_of_numbers() -> None:
    assert number_text(1001.0) == "1001"


@pytest.mark.libreoffice
def test_pdf_slips_hold_only_their_person(tmp_path: Path) -> None:
    """``--split --pdf``: one PDF per person through LibreOffice; each page's
    text names its person and nobody else."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: make libreoffice installs poppler-utils")
    book = tmp_path / "own.xlsx"
    _top, people = _office_workbook(book, random.Random(3))
    code, output, folder = _slips(book, tmp_path, "--pdf")
    assert code == 0, output
    run = _run(book)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{file_stem(p)}.pdf" for p in run.people)
    for p in run.people:
        text = subprocess.run(["pdftotext", str(folder / f"{file_stem(p)}.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert p.key in text
        assert p.name in text
        for key, name, _sales in people:
            if key != p.key:
                assert key not in text
                assert name not in text


@pytest.mark.parametrize("explained", [False, True])
def test_a_book_past_the_last_row_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            explained: bool) -> None:
    """A printable book needing more rows than a sheet holds (Excel's 1,048,576,
    made 12 here) is not written: exit 2, naming --split; one row fewer fits.
    With explanations the exact count (each explained amount's note row)
    decides after the quick bound on keys and rows passed."""
    import addin.monthend.slips as slips

    wb = XlWorkbook()
    ws = wb.active
    ws.append(["工号", "姓名", "实发"])
    for i in range(3):  # summary + blank, then 3 × (header, row, cut) = 11 rows
        ws.append([f"E{i}", f"人{i}", "=POINT_BONUS(90, 2)" if explained else 100 + i])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    limit = 11 + (3 if explained else 0)  # the explained book: one note row per person more
    monkeypatch.setattr(slips, "MAX_ROW", limit - 1)
    out = tmp_path / "book.xlsx"
    refused = CliRunner().invoke(slips_command, [str(path), "-o", str(out)])
    assert refused.exit_code == 2, refused.output
    assert "--split" in refused.output
    assert f"{limit:,}" in refused.output
    assert not out.exists()
    monkeypatch.setattr(slips, "MAX_ROW", limit)
    written = CliRunner().invoke(slips_command, [str(path), "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert load_workbook(out).active.max_row == limit - 1  # the last row, to cut along, holds no cell


def test_a_book_far_past_the_last_row_counts_every_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the last row early on, the rest of the people are only counted (no
    slip is built for a book never written), and the message still gives the
    whole count: 20 people, one repeated on a second row, a total row skipped."""
    import addin.monthend.slips as slips

    wb = XlWorkbook()
    ws = wb.active
    ws.append(["工号", "姓名", "实发"])
    for i in range(20):
        ws.append([f"E{i}", f"人{i}", 100 + i])
    ws.append(["E3", "人3", 5])  # a second row of E3: one row more, no header more
    ws.append(["合计", "", 2195])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    monkeypatch.setattr(slips, "MAX_ROW", 5)
    out = tmp_path / "book.xlsx"
    refused = CliRunner().invoke(slips_command, [str(path), "-o", str(out), "--header-row", "1"])
    assert refused.exit_code == 2, refused.output
    rows = 2 + 20 * 3 + 1  # summary + blank, (header, row, cut) each, E3's second row
    assert f"20 张工资条需要 {rows:,} 行" in refused.output
    assert not out.exists()
