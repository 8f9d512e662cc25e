"""jixiao 计算内核 / the calculation kernel.

Every worksheet function of the formula contract (FUNCTIONS.md), importable
under its Excel name in lower case::

    >>> from udfs import tiered, rank_prize
    >>> tiered(8, [[0, 20], [5, 40]], "超额")
    220.0

Pure Python + numpy, no Excel or xlwings imports, so it also runs in Pyodide
(xlwings Lite). Each function accepts what Excel hands a function (numbers,
text, booleans, ``None`` for a blank, :class:`ExcelError` values, ranges as 2-D
nested lists or numpy arrays) and returns a scalar, or a 2-D numpy array where
the result spills. Bad input gives an :class:`ExcelError` carrying a message.
"""

from udfs.bands import band, point_bonus, tier_detail, tiered
from udfs.errors import ExcelError
from udfs.money import allocate, money
from udfs.ranking import rank_prize, rankx
from udfs.scoring import deduct, forced_dist, streak, wscore

__all__ = [
    "ExcelError",
    "allocate",
    "band",
    "deduct",
    "forced_dist",
    "money",
    "point_bonus",
    "rank_prize",
    "rankx",
    "streak",
    "tier_detail",
    "tiered",
    "wscore",
]
