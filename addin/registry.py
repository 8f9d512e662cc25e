"""The one registry of worksheet functions that jixiao exports to Excel.

Every path into Excel — classic Windows UDFs (:mod:`addin.hosts.classic`), Office.js
custom functions for xlwings Server and xlwings Lite (:mod:`addin.hosts.officejs`,
:mod:`addin.hosts.lite`), the function reference (:mod:`addin.reference`), the
template validator and the headless refresh engine — reads names, arguments,
help and argument counts from :data:`FUNCTIONS`. Adding a :class:`FunctionSpec`
here is the only step needed to expose a kernel function everywhere.

A workbook saved by Excel may spell a call to one of these functions
``TIERED(``, ``_xludf.TIERED(`` (a classic VBA UDF), ``_xldudf_JX_TIERED(``
(an Office.js custom function in namespace ``JX``) or ``JX.TIERED(``;
:func:`lookup` accepts all of them.

>>> lookup("_xldudf_JX_TIERED").name
'TIERED'
>>> lookup("jx.money").arg_counts
(1, 3)
>>> lookup("SUM") is None
True

The kernel is imported lazily (:attr:`FunctionSpec.kernel`), so reading names
and argument counts never imports numpy code paths a reader does not need.

To add a function: write it in the kernel (``udfs.<module>.<name>``, optional
arguments defaulting to ``None``), append a :class:`FunctionSpec` to
:data:`FUNCTIONS`, then refresh the two generated, reviewed artefacts the tests
compare against: ``jixiao functions --markdown > docs/functions.md`` and
``python tests/test_hosts_officejs.py`` (the Office.js metadata golden file).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from udfs import keywords as kw
from udfs.keywords import Keyword

__all__ = [
    "FUNCTIONS",
    "KEYWORD",
    "NAMESPACE",
    "PER_ROW",
    "REFERENCE",
    "WHOLE",
    "Argument",
    "ArgumentKind",
    "ArgumentRole",
    "Example",
    "FunctionSpec",
    "by_name",
    "lookup",
    "marked_udf",
    "names",
    "spellings",
]

#: The Office.js namespace: Excel shows ``JX.TIERED``.
NAMESPACE = "JX"

#: The shipped function reference, generated from this registry (path in the project).
REFERENCE = "docs/functions.md"

#: What an argument holds:
#: ``number`` one value; ``range`` a value, a row, a column or a block (the
#: function is lifted over its rows); ``table`` a band or prize table;
#: ``keyword`` a text keyword from a fixed list (Chinese or English);
#: ``criterion`` a COUNTIF-style condition (``"<70"``) or a value;
#: ``flag`` TRUE/FALSE per row (``eligible``).
ArgumentKind = Literal["number", "range", "table", "keyword", "criterion", "flag"]

#: How a call filled down a column reads an argument (what the refresh engine
#: and a host may lift): ``row`` one value (or one row of cells) per row of the
#: result, a single value standing for every row; ``whole`` the population or
#: table the whole call reads (RANKX ``values``, a band table); ``keyword`` a
#: keyword, one for the call. A call whose ``row`` arguments are columns is one
#: kernel call (the kernel broadcasts them against each other, numpy style).
ArgumentRole = Literal["row", "whole", "keyword"]

#: The roles by name, for declarations (the refresh engine's Excel functions
#: declare theirs with the same words: ``register("VLOOKUP", PER_ROW, WHOLE, PER_ROW, PER_ROW)``).
PER_ROW: Final[ArgumentRole] = "row"
WHOLE: Final[ArgumentRole] = "whole"
KEYWORD: Final[ArgumentRole] = "keyword"

#: Prefixes Excel writes in front of a user-defined function's name in a file:
#: ``_xludf.`` for a classic (VBA) UDF, ``_xldudf_`` for an Office.js custom function,
#: followed by its namespace(s) joined with ``_`` (``_xldudf_JX_TIERED``).
UDF_PREFIXES: tuple[str, ...] = ("_XLUDF.", "_XLDUDF_")


@dataclass(frozen=True)
class Argument:
    """One argument of a worksheet function.

    ``default`` is what an omitted optional argument means (for the docs; the
    kernel applies it when it receives ``None``). ``keyword`` is the kernel's
    :class:`~udfs.keywords.Keyword` for keyword arguments, so the accepted
    spellings are never retyped here. ``extension`` marks an optional argument
    added after the ones the written contract (FUNCTIONS.md) gives: a formula
    written to the contract never passes it, and the reference says so.
    """

    name: str
    kind: ArgumentKind
    help_zh: str
    help_en: str
    optional: bool = False
    default: object = None
    keyword: Keyword | None = None
    role: ArgumentRole | None = None  # keyword and table arguments have theirs by kind
    extension: bool = False

    def __post_init__(self) -> None:
        if self.extension and not self.optional:
            raise ValueError(f"argument {self.name}: an extension of the contract is optional")
        if (self.kind == "keyword") != (self.keyword is not None):
            raise ValueError(f"argument {self.name}: keyword kind and Keyword go together")
        implied = {"keyword": KEYWORD, "table": WHOLE}.get(self.kind)
        if self.role is None:
            if implied is None:
                raise ValueError(f"argument {self.name}: say its role (row or whole)")
            object.__setattr__(self, "role", implied)
        elif implied is not None and self.role != implied:
            raise ValueError(f"argument {self.name}: a {self.kind} argument is {implied}")
        if not self.name.isidentifier() or not self.name.islower():
            raise ValueError(f"argument name must be a lower-case identifier: {self.name!r}")

    @property
    def spellings(self) -> tuple[str, ...]:
        """Accepted keyword spellings (empty for non-keyword arguments)."""
        return tuple(self.keyword.spellings()) if self.keyword is not None else ()

    @property
    def choices(self) -> dict[str, tuple[str, ...]]:
        """Canonical keyword → its synonyms (empty for non-keyword arguments)."""
        return dict(self.keyword.choices) if self.keyword is not None else {}

    @property
    def help(self) -> str:
        """Chinese help, then English: what a tooltip shows."""
        return f"{self.help_zh} / {self.help_en}"


@dataclass(frozen=True)
class Example:
    """A worked example: the formula as typed, the Python arguments, the result.

    ``result`` is the value (or, for a spill, the 2-D list) the kernel returns;
    every example is checked by the test suite.
    """

    formula: str
    args: tuple[Any, ...]
    result: Any
    note_zh: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    """One exported worksheet function."""

    name: str
    module: str
    attr: str
    category_zh: str
    category_en: str
    help_zh: str
    help_en: str
    args: tuple[Argument, ...]
    examples: tuple[Example, ...]
    spills: bool = False
    #: Its results are labels (text), never numbers: a host whose arrays keep
    #: text apart declares them as text (LibreOffice Calc, see addin.hosts.calc).
    text_result: bool = False
    _kernel: list[Callable[..., Any]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not (self.name.isidentifier() and self.name.isupper() and self.name.isascii()):
            raise ValueError(f"function name must be upper-case ASCII: {self.name!r}")
        seen_optional = False
        for a in self.args:
            if seen_optional and not a.optional:
                raise ValueError(f"{self.name}: required {a.name} after an optional argument")
            seen_optional = seen_optional or a.optional

    @property
    def kernel(self) -> Callable[..., Any]:
        """The kernel callable (``udfs.<module>.<attr>``), imported on first use."""
        if not self._kernel:
            module = importlib.import_module(self.module)
            self._kernel.append(getattr(module, self.attr))
        return self._kernel[0]

    @property
    def arg_counts(self) -> tuple[int, int]:
        """(fewest, most) arguments a formula may pass."""
        return (sum(not a.optional for a in self.args), len(self.args))

    @property
    def spellings(self) -> tuple[str, ...]:
        """How a file may spell a call to this function."""
        return (
            self.name,
            f"_xludf.{self.name}",
            f"_xldudf_{NAMESPACE}_{self.name}",
            f"{NAMESPACE}.{self.name}",
        )

    @property
    def help_url(self) -> str:
        """Its section of the function reference: ``docs/functions.md#tiered``."""
        return f"{REFERENCE}#{self.name.lower()}"

    @property
    def signature(self) -> str:
        """``TIERED(x, table, mode, [side])``."""
        parts = [f"[{a.name}]" if a.optional else a.name for a in self.args]
        return f"{self.name}({', '.join(parts)})"

    @property
    def category(self) -> str:
        """Chinese and English category, as a wizard shows it."""
        return f"jixiao {self.category_zh} {self.category_en}"

    @property
    def help(self) -> str:
        """Chinese help, then English."""
        return f"{self.help_zh} / {self.help_en}"

    @property
    def roles(self) -> tuple[ArgumentRole, ...]:
        """Each argument's role, in order (see :data:`ArgumentRole`)."""
        return tuple(a.role for a in self.args if a.role is not None)

    @property
    def lifts(self) -> bool:
        """Whether a column of calls is one kernel call: some argument is per row."""
        return PER_ROW in self.roles

    def argument(self, name: str) -> Argument:
        """The argument called ``name``."""
        for a in self.args:
            if a.name == name:
                return a
        raise KeyError(f"{self.name} has no argument {name!r}")

    def __call__(self, *args: Any) -> Any:
        """Call the kernel; arguments left out are passed as ``None`` (omitted)."""
        lo, hi = self.arg_counts
        if not lo <= len(args) <= hi:
            raise TypeError(f"{self.name} takes {lo} to {hi} arguments, got {len(args)}")
        return self.kernel(*args, *([None] * (hi - len(args))))


# ---------------------------------------------------------------------------
# The functions (FUNCTIONS.md is the contract; the texts below are its help).
# ---------------------------------------------------------------------------

_SCORING = ("计分", "Scoring")
_BANDS = ("档位与奖金", "Bands & bonuses")
_RANKING = ("排名与奖项", "Ranking & prizes")
_MONEY = ("金额", "Money")

_SIDE = Argument(
    "side",
    "keyword",
    "等于档位起点的值归哪一档：下含（默认，≥起点，归本档）或上含（>起点，归下一档）",
    "where a value equal to a band start belongs: lower (default, ≥ start) or upper (> start)",
    optional=True,
    default=kw.SIDE.default,
    keyword=kw.SIDE,
)

# TIERED and TIER_DETAIL take the same table and mode (TIER_DETAIL explains a TIERED result).
_RATE_TABLE = Argument(
    "table",
    "table",
    "档位表：起点（升序）与每单位费率",
    "band table: ascending starts and a rate per unit",
)
_MODE = Argument(
    "mode",
    "keyword",
    "计算方式（必填）：超额 或 全额",
    "how to pay (required): marginal (excess) or whole (retro)",
    keyword=kw.MODE,
)

_IIT_LITERAL = "{0,0.03;3000,0.1;12000,0.2;25000,0.25;35000,0.3;55000,0.35;80000,0.45}"
_IIT_TABLE = [
    [0, 0.03],
    [3000, 0.10],
    [12000, 0.20],
    [25000, 0.25],
    [35000, 0.30],
    [55000, 0.35],
    [80000, 0.45],
]

#: POINT_BONUS's examples: nothing below 60, 20 a point from 60, the full rate from 80.
_GATES_LITERAL = '{0,0;60,20;80,""}'
_GATES_TABLE = [[0, 0], [60, 20], [80, None]]

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="WSCORE",
        module="udfs.scoring",
        attr="wscore",
        category_zh=_SCORING[0],
        category_en=_SCORING[1],
        help_zh="每行加权得分：Σ min(得分, 封顶) × 权重。权重按给定使用（70%、30% 即加权平均）。",
        help_en="Weighted score per row: sum of min(score, cap) x weight. Weights are used as given.",
        args=(
            Argument("scores", "range", "得分：每人一行，或单独一行", "scores: one row per person, or one row", role="row"),
            Argument("weights", "range", "权重：一行，与得分同宽", "weights: one row as wide as scores", role="whole"),
            Argument(
                "caps",
                "range",
                "封顶分：一行，与得分同宽；省略为不封顶",
                "caps: one row as wide as scores; omitted means no cap",
                optional=True,
                role="whole",
            ),
        ),
        examples=(
            Example("WSCORE({85,92}, {0.7,0.3})", ([[85, 92]], [[0.7, 0.3]]), 87.1),
            Example("WSCORE({35,20}, {1,1}, {30,20})", ([[35, 20]], [[1, 1]], [[30, 20]]), 50.0),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="DEDUCT",
        module="udfs.scoring",
        attr="deduct",
        category_zh=_SCORING[0],
        category_en=_SCORING[1],
        help_zh="扣分制：满分 − Σ 次数 × 每次扣分，不低于保底分（默认 0，扣完为止）。",
        help_en="Deduction scoring: full minus sum of count x points, never below floor (default 0).",
        args=(
            Argument(
                "full",
                "range",
                "满分：一个数（人人相同）或一列（每人一个）",
                "full marks: one number for everybody, or a column (one per person)",
                role="row",
            ),
            Argument("counts", "range", "各项次数：每人一行，或单独一行", "counts per item: one row per person, or one row", role="row"),
            Argument("points", "range", "每次扣分：一行，与次数同宽，或一个数", "points per count: one row as wide as counts, or one number", role="whole"),
            Argument(
                "floor",
                "range",
                "保底分，默认 0（扣完为止）；一个数或每人一个的一列",
                "lowest result, default 0; one number or a column (one per person)",
                optional=True,
                default=0,
                role="row",
            ),
        ),
        examples=(
            Example("DEDUCT(100, 2, 4)", (100, 2, 4), 92.0, "满分 100，缺勤每天扣 4 分", "100 points, 4 off per day absent"),
            Example("DEDUCT(30, {1,1,0,0,0,0}, 5)", (30, [[1, 1, 0, 0, 0, 0]], 5), 20.0),
            Example("DEDUCT(10, 7, 2)", (10, 7, 2), 0.0, "扣完为止", "never below 0"),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="STREAK",
        module="udfs.scoring",
        attr="streak",
        category_zh=_SCORING[0],
        category_en=_SCORING[1],
        help_zh="每行连续满足条件的单元格个数；无条件时数与相邻相同的连续个数。空白单元格打断连续。",
        help_en="Per row, the length of a run of consecutive cells meeting criteria (or equal to their neighbour). Blanks break a run.",
        args=(
            Argument("values", "range", "数值或文本：每人一行", "values: one row per person", role="row"),
            Argument(
                "criteria",
                "criterion",
                "条件，COUNTIF 写法，如 \"<70\"、\">=90\"、\"=优\" 或一个值；省略为与相邻相同",
                'condition in COUNTIF syntax ("<70", ">=90", "=优") or a value; omitted: equal to the neighbour',
                optional=True,
                role="whole",
            ),
            Argument(
                "which",
                "keyword",
                "取哪一段：最长（默认）或末尾（以最后一个非空单元格结束的一段）",
                "which run: longest (default) or last (ending at the last non-blank cell)",
                optional=True,
                default=kw.WHICH.default,
                keyword=kw.WHICH,
            ),
        ),
        examples=(
            Example('STREAK({75,68,69,65,80}, "<70")', ([[75, 68, 69, 65, 80]], "<70"), 3.0),
            Example(
                'STREAK({"张三","李四","李四","李四"}, , "last")',
                ([["张三", "李四", "李四", "李四"]], None, "last"),
                3.0,
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="FORCED_DIST",
        module="udfs.scoring",
        attr="forced_dist",
        category_zh=_SCORING[0],
        category_en=_SCORING[1],
        help_zh="强制比例分布：按得分排序，按比例发放等级（最大余数法凑足人数），同分者同得较好等级。每行一个等级。",
        help_en="Forced distribution: rank by score, hand out labels by shares (largest remainder); ties on a cut get the better label.",
        args=(
            Argument("scores", "range", "得分：一列，每人一行", "scores: one column, one row per person", role="whole"),
            Argument("shares", "range", "各等级比例：一行（按其和的比例使用）", "share of each label: one row (used relative to its sum)", role="whole"),
            Argument("labels", "range", "等级名称：一行，与比例同宽，由好到差", "labels: one row as wide as shares, best first", role="whole"),
            Argument(
                "order",
                "number",
                "0（默认）高分在前；1 低分在前",
                "0 (default) high scores first; 1 low scores first",
                optional=True,
                default=0,
                role="whole",
            ),
            Argument(
                "groups",
                "range",
                "分组键：一列，与 scores 同高（部门、月份……）；在每组内按比例分布，各组人数任意",
                "group keys: a column as tall as scores (department, month …); "
                "the distribution is made within each group, of any size",
                optional=True,
                role="whole",
                extension=True,
            ),
        ),
        examples=(
            Example(
                'FORCED_DIST({95;90;85;80;75;70;65;60;55;50}, {0.2,0.7,0.1}, {"A","B","C"})',
                (
                    [[95], [90], [85], [80], [75], [70], [65], [60], [55], [50]],
                    [[0.2, 0.7, 0.1]],
                    [["A", "B", "C"]],
                ),
                [["A"], ["A"], ["B"], ["B"], ["B"], ["B"], ["B"], ["B"], ["B"], ["C"]],
            ),
            Example(
                'FORCED_DIST({90;60;80;"";70;85}, {0.5,0.5}, {"上","下"}, , {1;1;1;1;2;2})',
                (
                    [[90], [60], [80], [""], [70], [85]],
                    [[0.5, 0.5]],
                    [["上", "下"]],
                    None,
                    [[1], [1], [1], [1], [2], [2]],
                ),
                [["上"], ["下"], ["上"], [None], ["下"], ["上"]],
                note_zh="每月（第5个参数）各自分布：1月3人，上下各半按最大余数法为2:1；2月2人各1；空行不占名额",
                note_en="each month (5th argument) on its own: 3 people in month 1 split 2:1 by "
                "largest remainder, 2 in month 2 one each; the blank row takes no seat",
            ),
        ),
        spills=True,
        text_result=True,
    ),
    FunctionSpec(
        name="BAND",
        module="udfs.bands",
        attr="band",
        category_zh=_BANDS[0],
        category_en=_BANDS[1],
        help_zh="查档：返回 x 所在档位的指定列（默认第 2 列）。低于第一档起点为 #N/A。每个 x 一个结果。",
        help_en="Band lookup: the value in column (default 2) of the band holding x. Below the first start is #N/A.",
        args=(
            Argument("x", "range", "要查的值：一个值或一列", "value(s) to look up: one value or a column", role="row"),
            Argument("table", "table", "档位表：第一列为升序起点，其余列为本档适用的值", "band table: ascending starts, then what applies in the band"),
            Argument(
                "column",
                "number",
                "返回档位表的第几列，默认 2",
                "which table column to return, default 2",
                optional=True,
                default=2,
                role="whole",
            ),
            _SIDE,
        ),
        examples=(
            Example(
                "BAND(450000, {0,30;100000,32;200000,35;400000,40})",
                (450000, [[0, 30], [100000, 32], [200000, 35], [400000, 40]]),
                40.0,
            ),
            Example(
                'BAND(1.0, {0,60;1,70;1.1,80}, 2, "upper")',
                (1.0, [[0, 60], [1, 70], [1.1, 80]], 2, "upper"),
                60.0,
            ),
            Example(
                'BAND(1.1, {0,60;1,70;1.1,80}, 2, "上含")',
                (1.1, [[0, 60], [1, 70], [1.1, 80]], 2, "上含"),
                70.0,
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="TIERED",
        module="udfs.bands",
        attr="tiered",
        category_zh=_BANDS[0],
        category_en=_BANDS[1],
        help_zh="分档计酬：超额（各段按本档费率累计，如个税）或全额（全部按所在档费率）。mode 必填。",
        help_en="Tiered amount: marginal (each slice at its band's rate, tax-style) or whole (all of x at one rate). mode is required.",
        args=(
            Argument("x", "range", "数量或金额：一个值或一列", "quantity or amount: one value or a column", role="row"),
            _RATE_TABLE,
            _MODE,
            _SIDE,
        ),
        examples=(
            Example('TIERED(8, {0,20;5,40}, "超额")', (8, [[0, 20], [5, 40]], "超额"), 220.0),
            Example(
                'TIERED(30, {0,20;20,25}, "全额", "upper")',
                (30, [[0, 20], [20, 25]], "全额", "upper"),
                750.0,
            ),
            Example(
                f'TIERED(12000, {_IIT_LITERAL}, "超额")',
                (12000, _IIT_TABLE, "超额"),
                990.0,
                "月度个人所得税税率表",
                "monthly individual income tax table",
            ),
            Example(
                f'TIERED(100000, {_IIT_LITERAL}, "超额")',
                (100000, _IIT_TABLE, "超额"),
                29840.0,
                "月度个人所得税税率表",
                "monthly individual income tax table",
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="TIER_DETAIL",
        module="udfs.bands",
        attr="tier_detail",
        category_zh=_BANDS[0],
        category_en=_BANDS[1],
        help_zh="TIERED 结果的明细：每个计酬档一行（档起、档止、档内数量、费率、金额），末行合计等于 TIERED。",
        help_en="Explains one TIERED result: one row per paying band (from, to, quantity, rate, amount) and a total row.",
        args=(
            Argument("x", "number", "数量或金额（一个值）", "quantity or amount (one value)", role="whole"),
            _RATE_TABLE,
            _MODE,
            _SIDE,
        ),
        examples=(
            Example(
                'TIER_DETAIL(8, {0,20;5,40}, "超额")',
                (8, [[0, 20], [5, 40]], "超额"),
                [
                    [0.0, 5.0, 5.0, 20.0, 100.0],
                    [5.0, None, 3.0, 40.0, 120.0],
                    ["合计", None, 8.0, None, 220.0],
                ],
                "末行合计等于 TIERED(8, {0,20;5,40}, \"超额\")；最高档无上限",
                "the total row equals TIERED's result; the top band has no upper end",
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="POINT_BONUS",
        module="udfs.bands",
        attr="point_bonus",
        category_zh=_BANDS[0],
        category_en=_BANDS[1],
        help_zh="分值奖金：得分 × 每分金额；门槛表给出自某分起适用的每分金额，空白表示用 rate。",
        help_en="Money per score point: score x rate after gates; a blank gate rate means the rate argument.",
        args=(
            Argument("score", "range", "得分：一个值或一列", "score: one value or a column", role="row"),
            Argument("rate", "range", "每分金额：一个值或与得分同高的一列", "money per point: one value or a column as tall as score", role="row"),
            Argument(
                "gates",
                "table",
                "门槛表：得分起点与自此适用的每分金额（空白 = rate）；省略为无门槛",
                "gate table: score starts and the rate from there (blank = rate); omitted: no gates",
                optional=True,
            ),
            _SIDE,
        ),
        examples=(
            Example(
                f"POINT_BONUS(85, 40, {_GATES_LITERAL})",
                (85, 40, _GATES_TABLE),
                3400.0,
            ),
            Example(
                f"POINT_BONUS(70, 40, {_GATES_LITERAL})",
                (70, 40, _GATES_TABLE),
                1400.0,
            ),
            Example(
                f"POINT_BONUS(59, 40, {_GATES_LITERAL})",
                (59, 40, _GATES_TABLE),
                0.0,
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="RANKX",
        module="udfs.ranking",
        attr="rankx",
        category_zh=_RANKING[0],
        category_en=_RANKING[1],
        help_zh="每行的名次。可分组排名、只排符合条件者；多列时后面的列用于分先后。空白不占名次。",
        help_en="Rank per row, optionally within groups and among eligible rows only; later columns break ties.",
        args=(
            Argument("values", "range", "排名依据：一列（或多列，后列分先后）", "values: a column (more columns break ties)", role="whole"),
            Argument(
                "order",
                "range",
                "0（默认）大者在前；1 小者在前；多列时可给一行",
                "0 (default) largest first; 1 smallest first; a row for several columns",
                optional=True,
                default=0,
                role="whole",
            ),
            Argument(
                "method",
                "keyword",
                "并列方式：并列（默认，1,2,2,4）、中国式（1,2,2,3）、平均、顺序",
                "ties: competition (default, 1,2,2,4), dense (1,2,2,3), average, ordinal",
                optional=True,
                default=kw.METHOD.default,
                keyword=kw.METHOD,
            ),
            Argument(
                "groups",
                "range",
                "分组：一列，与 values 同高；在组内排名",
                "groups: a column as tall as values; rank within each group",
                optional=True,
                role="whole",
            ),
            Argument(
                "eligible",
                "flag",
                "是否参与：TRUE/1/是 参与；其他行结果为空且不占名次",
                "eligible: TRUE/1 rows take part; others get an empty result",
                optional=True,
                role="whole",
            ),
        ),
        examples=(
            Example(
                'RANKX({90;80;80;70}, , "dense")',
                ([[90], [80], [80], [70]], None, "dense"),
                [[1.0], [2.0], [2.0], [3.0]],
            ),
            Example(
                "RANKX({90;80;80;70})",
                ([[90], [80], [80], [70]],),
                [[1.0], [2.0], [2.0], [4.0]],
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="RANK_PRIZE",
        module="udfs.ranking",
        attr="rank_prize",
        category_zh=_RANKING[0],
        category_en=_RANKING[1],
        help_zh="按名次发奖：奖项表每行（起始名次、终止名次、每人金额）。并列者均分或同奖；负数为处罚。",
        help_en="Prize per row by rank: prize rows (from rank, to rank, amount each). Ties share or each get the prize.",
        args=(
            Argument("values", "range", "排名依据：一列", "values: a column", role="whole"),
            Argument("prizes", "table", "奖项表：起始名次、终止名次、每人金额", "prize table: from rank, to rank, amount per person"),
            Argument(
                "eligible",
                "flag",
                "是否参与：TRUE/1/是 参与",
                "eligible: TRUE/1 rows take part",
                optional=True,
                role="whole",
            ),
            Argument(
                "order",
                "range",
                "0（默认）大者在前；1 小者在前",
                "0 (default) largest first; 1 smallest first",
                optional=True,
                default=0,
                role="whole",
            ),
            Argument(
                "ties",
                "keyword",
                "并列处理：均分（默认，合并名次奖金平分到分）或 同奖（都得最好名次的奖）",
                "ties: share (default, pool and split to the fen) or each (all get the best place's prize)",
                optional=True,
                default=kw.TIES.default,
                keyword=kw.TIES,
            ),
        ),
        examples=(
            Example(
                'RANK_PRIZE({90;80;80;70}, {1,1,300;2,2,200;3,3,100}, , , "share")',
                ([[90], [80], [80], [70]], [[1, 1, 300], [2, 2, 200], [3, 3, 100]], None, None, "share"),
                [[300.0], [150.0], [150.0], [0.0]],
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="ALLOCATE",
        module="udfs.money",
        attr="allocate",
        category_zh=_MONEY[0],
        category_en=_MONEY[1],
        help_zh="按系数分配总额，按最小单位（默认 0.01）以最大余数法取整，合计恰等于总额；可按分组键各组分别分配。",
        help_en="Splits amount in proportion to weights, rounded to unit (default 0.01) by largest remainder; shares add up exactly; optionally within each group key.",
        args=(
            Argument(
                "amount",
                "number",
                "要分配的总额（有 groups 时也可为一列：每行所在组的总额）",
                "amount to split (with groups also a column: each row's group pool)",
                role="whole",
            ),
            Argument("weights", "range", "分配系数（如经理 1、工作人员 0.5）", "weights (e.g. manager 1, staff 0.5)", role="whole"),
            Argument(
                "unit",
                "number",
                "取整单位，默认 0.01（分）",
                "rounding unit, default 0.01 (one fen)",
                optional=True,
                default=0.01,
                role="whole",
            ),
            Argument(
                "groups",
                "range",
                "分组键：一列，与 weights 同高（城市、部门……）；每组按本组系数分配本组的总额，各组人数任意",
                "group keys: a column as tall as weights (city, department …); "
                "each group splits its own amount by its own weights, of any size",
                optional=True,
                role="whole",
                extension=True,
            ),
        ),
        examples=(
            Example("ALLOCATE(6000, {1,0.5,0.5})", (6000, [[1, 0.5, 0.5]]), [[3000.0, 1500.0, 1500.0]]),
            Example("ALLOCATE(100, {1,1,1})", (100, [[1, 1, 1]]), [[33.34, 33.33, 33.33]]),
            Example(
                'ALLOCATE({6000;1000;6000;1000;6000}, {1;1;0.5;0.5;0.5}, , {"南昌";"九江";"南昌";"九江";"南昌"})',
                (
                    [[6000], [1000], [6000], [1000], [6000]],
                    [[1], [1], [0.5], [0.5], [0.5]],
                    None,
                    [["南昌"], ["九江"], ["南昌"], ["九江"], ["南昌"]],
                ),
                [[3000.0], [666.67], [1500.0], [333.33], [1500.0]],
                note_zh="每个城市（第4个参数）按本城市的系数分本城市的奖金：南昌 6000 按 1:0.5:0.5，九江 1000 按 1:0.5（666.67 + 333.33）",
                note_en="each city (4th argument) splits its own prize by its own weights: 南昌 6000 as 1:0.5:0.5, "
                "九江 1000 as 1:0.5 (666.67 + 333.33)",
            ),
        ),
        spills=True,
    ),
    FunctionSpec(
        name="MONEY",
        module="udfs.money",
        attr="money",
        category_zh=_MONEY[0],
        category_en=_MONEY[1],
        help_zh="精确十进制舍入：四舍五入（默认，2.675→2.68）或四舍六入（GB/T 8170）。",
        help_en="Exact decimal rounding: half-up (default, 2.675 -> 2.68) or half-even (GB/T 8170).",
        args=(
            Argument("x", "range", "金额：一个值或一列", "amount: one value or a column", role="row"),
            Argument(
                "digits",
                "number",
                "保留小数位数，默认 2",
                "decimal places, default 2",
                optional=True,
                default=2,
                role="whole",
            ),
            Argument(
                "method",
                "keyword",
                "舍入方式：四舍五入（默认）或 四舍六入",
                "rounding: half-up (default) or half-even",
                optional=True,
                default=kw.ROUNDING.default,
                keyword=kw.ROUNDING,
            ),
        ),
        examples=(
            Example("MONEY(2.675)", (2.675,), 2.68),
            Example('MONEY(2.665, 2, "四舍六入")', (2.665, 2, "四舍六入"), 2.66),
        ),
        spills=True,
    ),
)

_BY_NAME: dict[str, FunctionSpec] = {}
for _spec in FUNCTIONS:
    if _spec.name in _BY_NAME:
        raise ValueError(f"duplicate function {_spec.name}")
    _BY_NAME[_spec.name] = _spec


def names() -> list[str]:
    """Every exported Excel name, in registry order."""
    return [f.name for f in FUNCTIONS]


def by_name(name: str) -> FunctionSpec:
    """The function whose Excel name is ``name`` (exact, upper case)."""
    return _BY_NAME[name]


def _canonical(spelling: str) -> str:
    """The bare upper-case name a spelling refers to ('' when it cannot be ours)."""
    name = spelling.strip().upper()
    for prefix in UDF_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if "." in name:
        # JX.TIERED, or XLWINGS.JX.TIERED when a server adds its manifest namespace.
        *namespaces, name = name.split(".")
        return name if namespaces and namespaces[-1] == NAMESPACE else ""
    if name not in _BY_NAME:
        # _xldudf_JX_TIERED or _xldudf_XLWINGS_JX_TIERED: the namespace joined by "_".
        marker = f"{NAMESPACE}_"
        at = name.find(marker)
        while at >= 0:
            if (at == 0 or name[at - 1] == "_") and name[at + len(marker) :] in _BY_NAME:
                return name[at + len(marker) :]
            at = name.find(marker, at + 1)
    return name


def marked_udf(spelling: str) -> bool:
    """Whether a name in a formula is spelled as a user-defined function
    (``_xludf.``, ``_xldudf_…``, ``JX.``): never an Excel built-in.

    >>> marked_udf("_xldudf_JX_TIERED"), marked_udf("jx.money"), marked_udf("SUM")
    (True, True, False)
    """
    return spelling.strip().upper().startswith((*UDF_PREFIXES, f"{NAMESPACE}."))


def lookup(spelling: str) -> FunctionSpec | None:
    """The function a name in a formula refers to, in any spelling a file may use.

    Case-insensitive; accepts ``TIERED``, ``_xludf.TIERED``, ``_xldudf_JX_TIERED``
    and ``JX.TIERED`` (also with a server's manifest namespace in front, e.g.
    ``XLWINGS.JX.TIERED``). ``None`` when the name is not one of ours.
    """
    return _BY_NAME.get(_canonical(spelling))


def spellings() -> Iterator[tuple[str, FunctionSpec]]:
    """Every (spelling, function) pair a file may contain, for readers that index them."""
    for spec in FUNCTIONS:
        for s in spec.spellings:
            yield s, spec
