"""IRR and RATE by Newton's method from the guess, as Excel iterates, reaching
negative rates (addin/refresh/functions/financial.py; issue 24)."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, approx, one


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # Microsoft's IRR page: -2.1%, 8.7%, and -44.4% with a guess of -10%
        ("IRR({-70000,12000,15000,18000,21000})", approx(-0.021244848273410912)),
        ("IRR({-70000,12000,15000,18000,21000,26000})", approx(0.08663094803653167)),
        ("IRR({-70000,12000,15000},-0.1)", approx(-0.4435069413347405)),
        ("IRR({-100,10,5})", approx(-0.720871215252208)),  # (x+0.5…) root below -0.7
        ("IRR({-10,1})", approx(-0.9)),
        ("IRR({100,-500,200})", approx(3.56155281280883)),
        ("IRR({-100,200,-101})", E("#NUM!")),  # no real rate
        ("IRR({1,2,3})", E("#NUM!")),  # no outflow
        ("IRR({-1,2},-1)", E("#NUM!")),
        ("IRR({-100,110},A1)", approx(0.1)),  # a blank guess
        ("IRR({-100,110,#N/A})", E("#N/A")),
    ],
)
def test_irr(formula: str, expected: Any) -> None:
    assert one(formula) == expected


def test_irr_solves_npv() -> None:
    """At the rate IRR finds, NPV of the later flows balances the first."""
    flows = "{-1000,100,100,100}"
    r = one(f"IRR({flows})")
    assert r < -0.4
    assert one(f"NPV({r!r},100,100,100)-1000") == pytest.approx(0.0, abs=1e-6)


def test_rate_reaches_a_negative_rate() -> None:
    """RATE's Newton steps stay above -1 (half-way to it) instead of failing."""
    r = one("RATE(3,0,-100,20)")
    assert r == approx((20 / 100) ** (1 / 3) - 1)
