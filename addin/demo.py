"""``make demo``: the schemes' main cases computed by the kernel, then a refresh
of the bundled sample workbooks with a summary of each."""

from __future__ import annotations

from typing import Any

import numpy as np

from addin.demo_schemes import SCHEMES
from addin.textable import render
from udfs.errors import ExcelError


def show(value: Any) -> str:
    """A result as a clerk reads it: errors with their message, floats without noise."""
    if isinstance(value, ExcelError):
        return f"{value} {value.message}".strip()
    if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] > 1 and value.shape[1] > 1:
        return "; ".join(" ".join(show(v) for v in row) for row in value.tolist())
    if isinstance(value, np.ndarray):
        return ", ".join(show(v) for v in value.ravel().tolist())
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return "" if value is None else str(value)


def print_schemes() -> None:
    """Print every scheme's cases as a table."""
    print("== 示例方案 / the schemes' main cases (kernel) ==\n")
    for scheme in SCHEMES:
        print(scheme.title)
        rows = [[c.who, c.formula, show(c.compute())] for c in scheme.cases]
        print(render(["对象 who", "公式 formula", "结果 result"], rows))
        print()


def main() -> None:
    """Entry point of ``python -m addin.demo``."""
    print_schemes()


if __name__ == "__main__":
    main()
