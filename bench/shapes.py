"""The workbooks ``bench/refresh.py --targets`` refreshes, as other programs write them.

Speed depends on who wrote a file, so the same office is generated in the
forms real files come in (never committed; generated in the run):

* :func:`per_row_openpyxl` — the per-row workbook (one row per person, every
  formula filled down as its own text) as ``openpyxl`` writes it, the way
  systems and scripts export data: a shared-strings table, a styles part,
  formula text XML-escaped (``&gt;=``), no cached values;
* :func:`libreoffice_copy` — that file saved again by LibreOffice (headless
  ``soffice --convert-to xlsx``): its own styles, cached values, its own XML;
* :func:`per_row_excel` — the same office in the XML Excel writes: shared
  formulas (``<f t="shared" ref si>`` masters and ``si`` children), shared
  strings, ``spans`` and styles, cached values;
* :func:`row_limit_excel` — month-end detail a sales system exports, filling a
  sheet to Excel's limit: 10,000 people and a 1,048,575-row transaction log
  (工号, 日期, 金额, 渠道), per person a SUMIFS over the month, a COUNTIFS of
  large deals, a VLOOKUP rate, an IF gate and a ROUND, read through whole
  columns (``明细!C:C``).

Each shape comes with its expected values worked out independently in numpy
(:func:`per_row_expected`, :func:`row_limit_expected`), so the benchmark checks
every person, not a sample.
"""

from __future__ import annotations

import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
BOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

# ---------------------------------------------------------------------------
# The per-row office: the same data in every writer's form
# ---------------------------------------------------------------------------

REVENUE_BANDS = [(0, 0.01), (50_000, 0.02), (100_000, 0.03), (150_000, 0.04), (180_000, 0.05)]
GATES = [(0, 0), (60, 20), (80, None)]
HOUSEHOLD_BANDS = [(0, 20), (5, 30), (10, 40)]
DEPARTMENTS = 40
LOG_PER_PERSON = 3
PEOPLE_HEAD = ["工号", "部门", "收入", "考核分", "户数", "每分单价"]
FORMULA_HEAD = ["费率", "分值奖金", "提成", "排名", "明细合计", "部门人数", "户数奖"]
#: row 2's formulas of columns G…M; ``{last}`` is the last person's row, ``{log}`` the log's
PER_ROW_FORMULAS = {
    "G": "VLOOKUP(C2,收入档,2,TRUE)",
    "H": "IF(D2>=80,D2*F2,IF(D2>=60,D2*20,0))",
    "I": "ROUND(G2*C2*1.1,2)",
    "J": "_xlfn.RANK.EQ(D2,$D$2:$D${last})",
    "K": "SUMIFS(明细!$C$2:$C${log},明细!$A$2:$A${log},A2)",
    "L": "COUNTIF($B$2:$B${last},B2)",
    "M": "IF(E2>10,(E2-10)*40+250,IF(E2>5,(E2-5)*30+100,E2*20))",
}
PER_ROW_NAMES = {"收入档": "参数!$A$2:$B$6", "门槛": "参数!$D$2:$E$4", "户档": "参数!$G$2:$H$4"}


@dataclass(frozen=True)
class PerRowData:
    """The per-row office of ``n`` people: inputs, log and parameter cells."""

    n: int
    ids: list[str]
    departments: list[str]
    income: np.ndarray
    score: np.ndarray
    households: np.ndarray
    point_price: np.ndarray
    log_ids: np.ndarray  # index into ``ids`` of each log row
    log_month: np.ndarray
    log_amount: np.ndarray


def per_row_data(n: int, seed: int = 7) -> PerRowData:
    """Random but reproducible inputs for ``n`` people and a ``3n``-row log."""
    rng = np.random.default_rng(seed)
    m = n * LOG_PER_PERSON
    return PerRowData(
        n=n,
        ids=[f"E{i + 1:06d}" for i in range(n)],
        departments=[f"部门{d + 1:02d}" for d in rng.integers(0, DEPARTMENTS, n)],
        income=np.round(rng.uniform(0, 200_000, n), 2),
        score=rng.integers(40, 101, n).astype(float),
        households=rng.integers(0, 21, n).astype(float),
        point_price=rng.choice([30.0, 35.0, 40.0], n),
        log_ids=rng.integers(0, n, m),
        log_month=rng.integers(1, 13, m).astype(float),
        log_amount=np.round(rng.uniform(0, 5_000, m), 2),
    )


def _formula_text(col: str, row: int, n: int) -> str:
    """Column ``col``'s formula at ``row``: row 2's text filled down (relative rows only)."""
    import re

    text = PER_ROW_FORMULAS[col].format(last=n + 1, log=n * LOG_PER_PERSON + 1)
    if row == 2:
        return text
    return re.sub(r"(?<![$0-9A-Z])([A-M])2(?![0-9])", lambda m: f"{m.group(1)}{row}", text)


def excel_round(x: np.ndarray, digits: int) -> np.ndarray:
    """ROUND as Excel rounds: the value to 15 significant digits, then half away
    from zero in decimal (2110.955 → 2110.96, where binary ``round`` gives 2110.95)."""
    from decimal import ROUND_HALF_UP, Decimal

    step = Decimal(1).scaleb(-digits)
    return np.array(
        [float(Decimal(f"{v:.15g}").quantize(step, ROUND_HALF_UP)) for v in x.tolist()]
    )


def per_row_expected(d: PerRowData) -> dict[str, np.ndarray]:
    """Columns G…M of 人员 worked out in numpy, independently of any engine."""
    starts = np.array([s for s, _ in REVENUE_BANDS], dtype=float)
    rates = np.array([r for _, r in REVENUE_BANDS])
    g = rates[np.searchsorted(starts, d.income, side="right") - 1]
    h = np.where(d.score >= 80, d.score * d.point_price, np.where(d.score >= 60, d.score * 20, 0))
    i = excel_round(g * d.income * 1.1, 2)
    ordered = np.sort(d.score)
    j = (len(ordered) - np.searchsorted(ordered, d.score, side="right") + 1).astype(float)
    k = np.bincount(d.log_ids, weights=d.log_amount, minlength=d.n)
    dept = np.array(d.departments)
    _, inverse, counts = np.unique(dept, return_inverse=True, return_counts=True)
    ell = counts[inverse].astype(float)
    e = d.households
    m = np.where(e > 10, (e - 10) * 40 + 250, np.where(e > 5, (e - 5) * 30 + 100, e * 20))
    return {"G": g, "H": h, "I": i, "J": j, "K": k, "L": ell, "M": m}


def per_row_openpyxl(path: Path, n: int) -> Path:
    """The per-row workbook as ``openpyxl`` (write-only mode) saves it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.workbook.defined_name import DefinedName

    d = per_row_data(n)
    wb = Workbook(write_only=True)
    people = wb.create_sheet("人员")
    money = "#,##0.00"
    people.append(PEOPLE_HEAD + FORMULA_HEAD)
    cols = list(PER_ROW_FORMULAS)
    for i in range(n):
        row = i + 2
        income = WriteOnlyCell(people, float(d.income[i]))
        income.number_format = money
        people.append(
            [
                d.ids[i],
                d.departments[i],
                income,
                float(d.score[i]),
                float(d.households[i]),
                float(d.point_price[i]),
                *("=" + _formula_text(c, row, n) for c in cols),
            ]
        )
    log = wb.create_sheet("明细")
    log.append(["工号", "月份", "金额"])
    ids = d.ids
    for who, month, amount in zip(
        d.log_ids.tolist(), d.log_month.tolist(), d.log_amount.tolist(), strict=True
    ):
        log.append([ids[who], month, amount])
    params = wb.create_sheet("参数")
    for row in _param_rows():
        params.append(row)
    for name, ref in PER_ROW_NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.save(path)
    return path


def _param_rows() -> list[list[object]]:
    rows: list[list[object]] = [["起点", "费率", None, "门槛", "每分", None, "户数起点", "每户"]]
    for i in range(5):
        row: list[object] = [float(REVENUE_BANDS[i][0]), REVENUE_BANDS[i][1]]
        if i < 3:
            start, rate = GATES[i]
            row += [None, float(start), None if rate is None else float(rate), None]
            row += [float(HOUSEHOLD_BANDS[i][0]), float(HOUSEHOLD_BANDS[i][1])]
        rows.append(row)
    return rows


def libreoffice_copy(path: Path, timeout: float = 900) -> tuple[Path | None, str]:
    """``path`` opened and saved again by headless LibreOffice (its own profile),
    and how it went; ``None`` with the reason when LibreOffice is absent or fails."""
    import shutil

    exe = shutil.which("soffice")
    if exe is None:
        return None, "LibreOffice (soffice) not installed"
    out = path.parent / "libreoffice"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-lo-profile-") as profile:
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc Office Open XML",
            "--outdir",
            str(out),
            str(path),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None, f"LibreOffice did not finish saving within {timeout:.0f} s"
    saved = out / path.name
    if done.returncode != 0 or not saved.exists():
        return None, f"LibreOffice failed (exit {done.returncode}): {done.stderr[-300:]}"
    target = path.with_name(path.stem + "-libreoffice.xlsx")
    saved.replace(target)
    return target, "saved by LibreOffice"


# ---------------------------------------------------------------------------
# Excel's XML
# ---------------------------------------------------------------------------


class SharedStrings:
    """The ``sst`` part being built: each distinct text once, by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.index)
        return i

    def xml(self) -> bytes:
        items = "".join(f"<si><t>{escape(t)}</t></si>" for t in self.index)
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="{MAIN}" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        ).encode()


#: cellXfs Excel writes for this office: 0 general, 1 a date (14), 2 money (4: #,##0.00)
EXCEL_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<styleSheet xmlns="{MAIN}" '
    f'xmlns:mc="{MC}" mc:Ignorable="x14ac" xmlns:x14ac="{X14AC}">'
    '<fonts count="1" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/>'
    '<name val="等线"/><family val="2"/><charset val="134"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
).encode()


def _excel_sheet_head(dimension: str, widths: int) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="{MAIN}" '
        f'xmlns:r="{REL}" xmlns:mc="{MC}" mc:Ignorable="x14ac xr xr2 xr3" '
        f'xmlns:x14ac="{X14AC}"><dimension ref="{dimension}"/><sheetViews>'
        '<sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
        f'<cols><col min="1" max="{widths}" width="12.625" customWidth="1"/></cols><sheetData>'
    )


_EXCEL_SHEET_TAIL = (
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
    'header="0.3" footer="0.3"/></worksheet>'
)


def _num(x: float) -> str:
    """A number as Excel writes it in ``<v>`` (shortest round trip, no ``.0``)."""
    x = float(x)
    return repr(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


def _excel_package(
    path: Path,
    sheets: dict[str, Iterator[str]],
    sst: SharedStrings,
    names: dict[str, str],
) -> Path:
    """Write an Excel-shaped package: sheets streamed (name → XML chunks), then
    the shared strings they used, styles, workbook with ``names``."""
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_CT}"/>'
        for i in range(1, n + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Types xmlns="{CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{BOOK_CT}"/>{overrides}'
            f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_CT}"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_CT}"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        defined = "".join(f'<definedName name="{k}">{v}</definedName>' for k, v in names.items())
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<workbook xmlns="{MAIN}" '
            f'xmlns:r="{REL}"><workbookPr defaultThemeVersion="166925"/><bookViews>'
            '<workbookView xWindow="-110" yWindow="-110" windowWidth="25820" windowHeight="15500"/>'
            "</bookViews><sheets>"
            + "".join(
                f'<sheet name="{s}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1)
            )
            + "</sheets>"
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + '<calcPr calcId="191029"/></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="{PKG}">'
            f"{rels}"
            f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        for i, chunks in enumerate(sheets.values(), 1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                buffer: list[str] = []
                size = 0
                for chunk in chunks:
                    buffer.append(chunk)
                    size += len(chunk)
                    if size > 1 << 22:
                        out.write("".join(buffer).encode())
                        buffer, size = [], 0
                out.write("".join(buffer).encode())
        zf.writestr("xl/styles.xml", EXCEL_STYLES)
        zf.writestr("xl/sharedStrings.xml", sst.xml())
    return path


def _header_row(sst: SharedStrings, head: list[str]) -> str:
    cells = "".join(
        f'<c r="{_letter(j)}1" t="s"><v>{sst(h)}</v></c>' for j, h in enumerate(head)
    )
    return f'<row r="1" spans="1:{len(head)}" x14ac:dyDescent="0.2">{cells}</row>'


def _letter(j: int) -> str:
    """Column letter of 0-based ``j`` (A…Z is enough here)."""
    return chr(65 + j)


def per_row_excel(path: Path, n: int) -> Path:
    """The per-row workbook in the XML Excel saves: each column's formula one
    shared group (master text plus ``si`` children), shared strings, styles,
    cached values (the expected ones, as Excel would have computed them)."""
    d = per_row_data(n)
    want = per_row_expected(d)
    sst = SharedStrings()
    last = n + 1

    def people() -> Iterator[str]:
        yield _excel_sheet_head(f"A1:M{last}", 13)
        yield _header_row(sst, PEOPLE_HEAD + FORMULA_HEAD)
        for i in range(n):
            r = i + 2
            cells = [
                f'<row r="{r}" spans="1:13" x14ac:dyDescent="0.2">'
                f'<c r="A{r}" t="s"><v>{sst(d.ids[i])}</v></c>'
                f'<c r="B{r}" t="s"><v>{sst(d.departments[i])}</v></c>'
                f'<c r="C{r}" s="2"><v>{_num(d.income[i])}</v></c>'
                f'<c r="D{r}"><v>{_num(d.score[i])}</v></c>'
                f'<c r="E{r}"><v>{_num(d.households[i])}</v></c>'
                f'<c r="F{r}"><v>{_num(d.point_price[i])}</v></c>'
            ]
            for si, col in enumerate(PER_ROW_FORMULAS):
                v = _num(float(want[col][i]))
                if r == 2:
                    text = escape(_formula_text(col, 2, n))
                    f = f'<f t="shared" ref="{col}2:{col}{last}" si="{si}">{text}</f>'
                else:
                    f = f'<f t="shared" si="{si}"/>'
                cells.append(f'<c r="{col}{r}">{f}<v>{v}</v></c>')
            cells.append("</row>")
            yield "".join(cells)
        yield _EXCEL_SHEET_TAIL

    def log() -> Iterator[str]:
        m = len(d.log_ids)
        yield _excel_sheet_head(f"A1:C{m + 1}", 3)
        yield _header_row(sst, ["工号", "月份", "金额"])
        ids = d.ids
        for i, (who, month, amount) in enumerate(
            zip(d.log_ids.tolist(), d.log_month.tolist(), d.log_amount.tolist(), strict=True)
        ):
            r = i + 2
            yield (
                f'<row r="{r}" spans="1:3" x14ac:dyDescent="0.2"><c r="A{r}" t="s"><v>{sst(ids[who])}</v></c>'
                f'<c r="B{r}"><v>{_num(month)}</v></c><c r="C{r}" s="2"><v>{_num(amount)}</v></c></row>'
            )
        yield _EXCEL_SHEET_TAIL

    def params() -> Iterator[str]:
        yield _excel_sheet_head("A1:H6", 8)
        for i, row in enumerate(_param_rows()):
            r = i + 1
            cells = []
            for j, v in enumerate(row):
                if v is None:
                    continue
                ref = f"{_letter(j)}{r}"
                if isinstance(v, str):
                    cells.append(f'<c r="{ref}" t="s"><v>{sst(v)}</v></c>')
                else:
                    cells.append(f'<c r="{ref}"><v>{_num(float(v))}</v></c>')  # type: ignore[arg-type]
            yield f'<row r="{r}" spans="1:8" x14ac:dyDescent="0.2">{"".join(cells)}</row>'
        yield _EXCEL_SHEET_TAIL

    # the generators run in sheet order, so the shared strings are complete at the end
    return _excel_package(path, {"人员": people(), "明细": log(), "参数": params()}, sst, PER_ROW_NAMES)


# ---------------------------------------------------------------------------
# The row-limit workbook: a transaction log filling a sheet to Excel's limit
# ---------------------------------------------------------------------------

ROW_LIMIT_LOG_ROWS = 1_048_575  # rows 2 … 1,048,576 under one header row
CHANNELS = ["门店", "电话", "网点", "线上"]
#: the month summed (February 2026 as 1900-system serials: 2026-02-01 and 2026-03-01)
MONTH_START, MONTH_END = 46054.0, 46082.0
LOG_FIRST_DAY, LOG_DAYS = 46023, 90  # 2026-01-01 and three months
LARGE_DEAL = 4_000.0
GATE_DEALS = 2.0
RATE_BANDS = [(0.0, 0.005), (20_000.0, 0.008), (40_000.0, 0.01), (60_000.0, 0.012)]
ROW_LIMIT_FORMULAS = {
    "C": 'SUMIFS(明细!C:C,明细!A:A,A2,明细!B:B,">="&参数!$B$1,明细!B:B,"<"&参数!$B$2)',
    "D": 'COUNTIFS(明细!A:A,A2,明细!C:C,">="&参数!$B$3,明细!B:B,">="&参数!$B$1,明细!B:B,"<"&参数!$B$2)',
    "E": "VLOOKUP(C2,费率表,2,TRUE)",
    "F": "ROUND(IF(D2>=参数!$B$4,C2*E2,0),2)",
}


@dataclass(frozen=True)
class RowLimitData:
    """The row-limit office: ``n`` people and the log's columns."""

    n: int
    ids: list[str]
    departments: list[str]
    who: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    channel: np.ndarray


def row_limit_data(n: int = 10_000, rows: int = ROW_LIMIT_LOG_ROWS, seed: int = 13) -> RowLimitData:
    rng = np.random.default_rng(seed)
    return RowLimitData(
        n=n,
        ids=[f"E{i + 1:06d}" for i in range(n)],
        departments=[f"部门{d + 1:02d}" for d in rng.integers(0, DEPARTMENTS, n)],
        who=rng.integers(0, n, rows),
        day=(LOG_FIRST_DAY + rng.integers(0, LOG_DAYS, rows)).astype(float),
        amount=np.round(rng.gamma(2.0, 700.0, rows), 2),
        channel=rng.integers(0, len(CHANNELS), rows),
    )


def row_limit_expected(d: RowLimitData) -> dict[str, np.ndarray]:
    """Columns C…F of 人员 worked out in numpy, independently of any engine."""
    in_month = (d.day >= MONTH_START) & (d.day < MONTH_END)
    total = np.bincount(d.who[in_month], weights=d.amount[in_month], minlength=d.n)
    large = np.bincount(d.who[in_month & (d.amount >= LARGE_DEAL)], minlength=d.n).astype(float)
    starts = np.array([s for s, _ in RATE_BANDS])
    rates = np.array([r for _, r in RATE_BANDS])
    rate = rates[np.searchsorted(starts, total, side="right") - 1]
    bonus = excel_round(np.where(large >= GATE_DEALS, total * rate, 0.0), 2)
    return {"C": total, "D": large, "E": rate, "F": bonus}


def row_limit_excel(path: Path, n: int = 10_000, rows: int = ROW_LIMIT_LOG_ROWS) -> Path:
    """The row-limit workbook in Excel's XML: 人员 (shared formulas reading the
    log through whole columns, cached values), 明细 (``rows`` transactions,
    工号 and 渠道 as shared strings, dates and money styled), 参数."""
    d = row_limit_data(n, rows)
    want = row_limit_expected(d)
    sst = SharedStrings()
    last = n + 1

    def people() -> Iterator[str]:
        yield _excel_sheet_head(f"A1:F{last}", 6)
        yield _header_row(sst, ["工号", "部门", "月合计", "大单数", "费率", "奖金"])
        for i in range(n):
            r = i + 2
            cells = [
                f'<row r="{r}" spans="1:6" x14ac:dyDescent="0.2">'
                f'<c r="A{r}" t="s"><v>{sst(d.ids[i])}</v></c>'
                f'<c r="B{r}" t="s"><v>{sst(d.departments[i])}</v></c>'
            ]
            for si, col in enumerate(ROW_LIMIT_FORMULAS):
                v = _num(float(want[col][i]))
                if r == 2:
                    text = escape(ROW_LIMIT_FORMULAS[col])
                    f = f'<f t="shared" ref="{col}2:{col}{last}" si="{si}">{text}</f>'
                else:
                    f = f'<f t="shared" si="{si}"/>'
                style = ' s="2"' if col in "CF" else ""
                cells.append(f'<c r="{col}{r}"{style}>{f}<v>{v}</v></c>')
            cells.append("</row>")
            yield "".join(cells)
        yield _EXCEL_SHEET_TAIL

    def log() -> Iterator[str]:
        yield _excel_sheet_head(f"A1:D{rows + 1}", 4)
        yield _header_row(sst, ["工号", "日期", "金额", "渠道"])
        id_index = [sst(t) for t in d.ids]  # the log's ids share the people's strings
        channel_index = [sst(t) for t in CHANNELS]
        step = 50_000
        for lo in range(0, rows, step):
            hi = min(lo + step, rows)
            who = d.who[lo:hi].tolist()
            day = d.day[lo:hi].astype(int).tolist()
            amount = d.amount[lo:hi].tolist()
            channel = d.channel[lo:hi].tolist()
            yield "".join(
                f'<row r="{r}" spans="1:4" x14ac:dyDescent="0.2">'
                f'<c r="A{r}" t="s"><v>{id_index[w]}</v></c><c r="B{r}" s="1"><v>{t}</v></c>'
                f'<c r="C{r}" s="2"><v>{_num(a)}</v></c><c r="D{r}" t="s"><v>{channel_index[c]}</v></c></row>'
                for r, w, t, a, c in zip(range(lo + 2, hi + 2), who, day, amount, channel, strict=True)
            )
        sst.count += 2 * rows  # the ids and channels counted once above, used on every row
        yield _EXCEL_SHEET_TAIL

    def params() -> Iterator[str]:
        yield _excel_sheet_head("A1:B10", 2)
        head = [("月初", MONTH_START, 1), ("下月初", MONTH_END, 1), ("大单", LARGE_DEAL, 2),
                ("门槛单数", GATE_DEALS, 0)]  # fmt: skip
        for r, (label, value, style) in enumerate(head, 1):
            yield (
                f'<row r="{r}" spans="1:2"><c r="A{r}" t="s"><v>{sst(label)}</v></c>'
                f'<c r="B{r}" s="{style}"><v>{_num(value)}</v></c></row>'
            )
        for i, (start, rate) in enumerate(RATE_BANDS):
            r = 6 + i
            yield (
                f'<row r="{r}" spans="1:2"><c r="A{r}" s="2"><v>{_num(start)}</v></c>'
                f'<c r="B{r}"><v>{_num(rate)}</v></c></row>'
            )
        yield _EXCEL_SHEET_TAIL

    names = {"费率表": f"参数!$A$6:$B${5 + len(RATE_BANDS)}"}
    return _excel_package(path, {"人员": people(), "明细": log(), "参数": params()}, sst, names)
