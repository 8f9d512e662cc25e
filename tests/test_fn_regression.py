"""Least squares by Excel's rules (addin/refresh/functions/regression.py).
Expected values are the examples of Microsoft's page for each function."""

from __future__ import annotations

from typing import Any

import pytest
from formula_helpers import E, approx, calc, one

Y = "{2,3,9,1,8,7,5}"
X = "{6,5,11,7,5,4,4}"
def near(x: float) -> Any:
    """Microsoft's examples print 9 to 10 significant digits."""
    return pytest.approx(x, rel=1e-8)


SALES = "{33100;47300;69000;102000;150000;220000}"
MONTHS = "{11;12;13;14;15;16}"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (f"SLOPE({Y},{X})", near(0.305555556)),
        (f"INTERCEPT({Y},{X})", near(3.166666667)),
        (f"STEYX({Y},{X})", near(3.305718950)),
        (f"RSQ({Y},{X})", near(0.057950192)),
        (f"PEARSON({Y},{X})", near(0.240728460)),
        (f"CORREL({Y},{X})", near(0.240728460)),
        (f"COVARIANCE.S({Y},{X})", near(1.833333333)),
        (f"COVAR({Y},{X})", near(1.571428571)),
        (f"COVARIANCE.P({Y},{X})", near(1.571428571)),
        ("FORECAST(30,{6,7,9,15,21},{20,28,31,38,40})", near(10.60725309)),
        ("FORECAST.LINEAR(30,{6,7,9,15,21},{20,28,31,38,40})", near(10.60725309)),
        ("SLOPE({1,2},{1,2,3})", E("#N/A")),  # sizes differ
        ("SLOPE({1,2},{3,3})", E("#DIV/0!")),  # x does not vary
        ('SLOPE({1,2,"a",4},{1,2,3,4})', near(1.0)),  # the text's pair dropped
        ("SLOPE({1,#N/A},{1,2})", E("#N/A")),
        ("SLOPE({1,2,3},NoSuchName)", E("#NAME?")),  # sheetjs named_ranges_2011.xlsx!E7
        ("STEYX({1,2},{1,2})", E("#DIV/0!")),
        (f"INDEX(GROWTH({SALES},{MONTHS},{{17;18}}),1)", near(320196.7184)),
        (f"INDEX(GROWTH({SALES},{MONTHS},{{17;18}}),2)", near(468536.0539)),
        (f"INDEX(LOGEST({SALES},{MONTHS}),1)", near(1.463275628)),
        (f"INDEX(LOGEST({SALES},{MONTHS}),2)", near(495.3047702)),
        ("INDEX(LINEST({1,9,5,7},{0,4,2,3}),1)", near(2.0)),
        ("INDEX(LINEST({1,9,5,7},{0,4,2,3}),2)", near(1.0)),
        ("TREND({1;2;3;4},{1;2;3;4},5)", near(5.0)),
        ('TREND({1;2;"a"})', E("#VALUE!")),
        ("GROWTH({1;-2;3})", E("#NUM!")),
    ],
)
def test_regression_values(formula: str, expected: Any) -> None:
    assert one(formula) == expected


def test_trend_spills_the_shape_of_new_x() -> None:
    got = calc({"A1": "=SUM(TREND({1;2;3;4},{1;2;3;4},{5;6}))", "A2": "=ROWS(TREND({1;3;5}))"})
    assert got["A1"] == approx(11.0)
    assert got["A2"] == 3.0


def test_linest_statistics() -> None:
    """Two variables with stats: 5 rows × 3 columns, #N/A past each row's values."""
    ys, xs = "{1;2;4;5;7;8}", "{1,0;2,1;3,1;4,0;5,1;6,2}"
    got = calc({f"A{r}": f"=INDEX(LINEST({ys},{xs},TRUE,TRUE),{r},3)" for r in range(1, 6)})
    assert got["A4"] == E("#N/A")
    assert got["A5"] == E("#N/A")
    assert isinstance(got["A1"], float)  # the intercept
    r2 = one(f"INDEX(LINEST({ys},{xs},TRUE,TRUE),3,1)")
    assert 0.9 < r2 <= 1.0
    assert one(f"INDEX(LINEST({ys},{xs},TRUE,TRUE),4,2)") == 3.0  # df = 6 - 2 - 1


def test_hyperlink_shows_its_friendly_name() -> None:
    assert one('HYPERLINK("http://x.cn","报表")') == "报表"
    assert one('HYPERLINK("http://x.cn")') == "http://x.cn"
    assert one('HYPERLINK("#S!A1",5)') == 5.0
    assert one('HYPERLINK("#S!A1",#N/A)') == E("#N/A")
