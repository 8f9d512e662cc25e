"""Assertions shared by the kernel function tests (test_money, test_scoring)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from udfs.errors import ExcelError


def grid(result: object) -> list[list[Any]]:
    """A spilled result as nested lists (fails if it is an error or a scalar)."""
    assert isinstance(result, np.ndarray), result
    rows: list[list[Any]] = result.tolist()
    return rows


def arr(result: object) -> npt.NDArray[Any]:
    """A spilled result as its array (fails if it is an error or a scalar)."""
    assert isinstance(result, np.ndarray), result
    return result


def assert_error(result: object, code: str) -> None:
    """``result`` is the Excel error ``code`` and explains itself."""
    assert isinstance(result, ExcelError), result
    assert str(result) == code
    assert result.message, "an error returned to the user must carry a message"
