"""jixiao 计算内核 / the calculation kernel.

Every worksheet function of the formula contract (FUNCTIONS.md), importable
under its Excel name in lower case: ``from udfs import tiered, rank_prize``.
Pure Python + numpy, no Excel or xlwings imports, so it also runs in Pyodide.
"""

from udfs.errors import ExcelError

__all__ = ["ExcelError"]
