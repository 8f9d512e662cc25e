"""``make demo``: the schemes' main cases computed by the kernel, then a refresh
of the bundled sample workbooks with a summary of each."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from addin import cli
from addin.demo_schemes import SCHEMES
from addin.textable import render
from udfs.errors import ExcelError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "workbooks" / "templates"
DEMO_OUT = ROOT / "out" / "demo"


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


def refresh_samples(out: Path = DEMO_OUT) -> int:
    """Refresh the bundled templates into ``out`` and validate the results;
    returns the worse of the two exit codes."""
    print("== 重算示例工作簿 / refreshing the sample workbooks ==\n", flush=True)
    code = _run(["refresh", _shown(SAMPLES), "--out", _shown(out)])
    print("\n== 校验重算结果 / validating the refreshed workbooks ==\n", flush=True)
    code = max(code, _run(["validate", _shown(out)]))
    print("\n== 工资条 / pay slips ==\n", flush=True)
    book = out / "t1_gongxiaoshe.xlsx"
    code = max(code, _run(["slips", _shown(book), "-o", _shown(book.with_name("t1_gongxiaoshe.slips.xlsx"))]))
    command = _shown(Path(sys.executable).with_name("jixiao"))
    print(f"\n命令在 {command}（先运行 source .venv/bin/activate，之后直接输入 jixiao）/ "
          f"the command is {command} (after source .venv/bin/activate, just type jixiao)")
    return code


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _run(args: list[str]) -> int:
    try:
        cli.main(args, prog_name="jixiao", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def main() -> None:
    """Entry point of ``python -m addin.demo``."""
    print_schemes()
    sys.exit(refresh_samples())


if __name__ == "__main__":
    main()
