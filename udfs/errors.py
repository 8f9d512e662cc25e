"""Excel error values as values of one type.

An Excel error (``#N/A``, ``#VALUE!`` …) is a *value*: a cell can hold it, a
function can receive it and must usually pass it on. The kernel therefore
models errors as instances of :class:`ExcelError`, compared by their code, whose
``str()`` is the Excel spelling and which carry a human message (Chinese, with
English) saying which argument was wrong and why.

Inside the kernel a function that meets bad input *raises*
:class:`ExcelErrorRaised`; the :func:`excel_function` decorator turns exactly
that exception (and nothing else) into the returned error value, so genuine
bugs still surface as tracebacks in tests.

>>> err = ExcelError("#VALUE!", "参数 table 未按升序排列 / table is not sorted")
>>> str(err)
'#VALUE!'
>>> err == VALUE
True
>>> err.message
'参数 table 未按升序排列 / table is not sorted'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np

__all__ = [
    "CALC",
    "DIV0",
    "ERROR_CODES",
    "NA",
    "NAME",
    "NULL",
    "NUM",
    "REF",
    "SPILL",
    "VALUE",
    "ExcelError",
    "ExcelErrorRaised",
    "excel_function",
    "fail",
    "parse_error",
]

#: Excel's error spellings, in the order of ``ERROR.TYPE`` (1 … 8), then the
#: dynamic-array errors.
ERROR_CODES: tuple[str, ...] = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
)


class ExcelError:
    """An Excel error value, e.g. ``#N/A``.

    Parameters
    ----------
    code : str
        The Excel spelling, one of :data:`ERROR_CODES`.
    message : str, optional
        Why the error arose, for the user ("参数 x 第 3 行是文本 / row 3 of x is text").

    Notes
    -----
    Two errors are equal when their codes are equal; the message is
    explanation, not identity. Errors are immutable and hashable.
    """

    __slots__ = ("code", "message")

    code: str
    message: str

    def __init__(self, code: str, message: str = "") -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", message)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ExcelError is immutable")

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        if self.message:
            return f"ExcelError({self.code!r}, {self.message!r})"
        return f"ExcelError({self.code!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ExcelError):
            return self.code == other.code
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("ExcelError", self.code))

    def __reduce__(self) -> tuple[Any, ...]:
        return (ExcelError, (self.code, self.message))

    def with_message(self, message: str) -> ExcelError:
        """The same error with another message."""
        return ExcelError(self.code, message)


NULL = ExcelError("#NULL!")
DIV0 = ExcelError("#DIV/0!")
VALUE = ExcelError("#VALUE!")
REF = ExcelError("#REF!")
NAME = ExcelError("#NAME?")
NUM = ExcelError("#NUM!")
NA = ExcelError("#N/A")
SPILL = ExcelError("#SPILL!")
CALC = ExcelError("#CALC!")

_BY_CODE = {code: ExcelError(code) for code in ERROR_CODES}


def parse_error(text: object) -> ExcelError | None:
    """The error whose Excel spelling is ``text`` (case-insensitive), else ``None``.

    >>> parse_error("#n/a")
    ExcelError('#N/A')
    >>> parse_error("N/A") is None
    True
    """
    if isinstance(text, str) and text[:1] == "#":
        return _BY_CODE.get(text.upper())
    return None


class ExcelErrorRaised(Exception):  # noqa: N818 - it carries an error value, it is not one
    """Raised inside the kernel to return an Excel error from a public function."""

    def __init__(self, error: ExcelError) -> None:
        super().__init__(f"{error.code} {error.message}".strip())
        self.error = error


def fail(code: str | ExcelError, message: str = "") -> ExcelErrorRaised:
    """Build the exception that makes the current function return ``code``.

    Use as ``raise fail("#VALUE!", "…")``; an :class:`ExcelError` passed in is
    returned unchanged (its own message kept unless ``message`` is given).
    """
    if isinstance(code, ExcelError):
        return ExcelErrorRaised(code.with_message(message) if message else code)
    return ExcelErrorRaised(ExcelError(code, message))


P = ParamSpec("P")
R = TypeVar("R")


def excel_function(func: Callable[P, R]) -> Callable[P, R | ExcelError]:
    """Make ``func`` return an :class:`ExcelError` instead of raising one.

    Only :class:`ExcelErrorRaised` is caught: any other exception is a bug and
    propagates. numpy's floating-point warnings (overflow, invalid, divide) are
    silenced inside: the kernel turns such results into ``#NUM!`` itself, and a
    host that runs with warnings as errors must not get a traceback for them.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | ExcelError:
        try:
            with np.errstate(all="ignore"):
                return func(*args, **kwargs)
        except ExcelErrorRaised as exc:
            return exc.error

    return wrapper
