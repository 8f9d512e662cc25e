"""The formula tokenizer, parser and R1C1 keys (addin.xlsx.formula)."""

from __future__ import annotations

import pytest

from addin.xlsx.formula import (
    MAX_COL,
    MAX_ROW,
    ArrayLit,
    Binary,
    Bool,
    ErrorLit,
    ErrorLitValue,
    FormulaSyntaxError,
    Func,
    Intersect,
    Missing,
    Name,
    Number,
    Percent,
    RangeOp,
    Ref,
    SpillRef,
    StructRef,
    Text,
    Unary,
    Union,
    function_names,
    parse,
    r1c1_key,
    tokenize,
)


def cell(row: int, col: int, sheet: str | None = None, *, absolute: bool = False) -> Ref:
    return Ref(sheet, row, col, row, col, absolute, absolute, absolute, absolute)


# ------------------------------------------------------------------ tokens


def test_tokens_of_a_mixed_formula() -> None:
    """Strings (with doubled quotes), numbers, refs, functions, operators and
    error literals come out as separate tokens of the right kinds."""
    toks = tokenize('IF(A1>=1.5E2,"say ""hi""",#N/A)&$B$2')
    kinds = [t.kind for t in toks]
    assert kinds == ["func", "(", "ref", "op", "num", ",", "str", ",", "err", ")", "op", "ref"]
    assert toks[4].value == 150.0
    assert toks[6].value == 'say "hi"'
    assert toks[8].value == "#N/A"


def test_cell_like_function_names_are_functions() -> None:
    """``LOG10(`` looks like the cell LOG10 but is a function call."""
    assert parse("LOG10(100)") == Func("LOG10", (Number(100.0),))


def test_boolean_literals_and_boolean_functions() -> None:
    """TRUE/FALSE are literals, ``TRUE()`` a function call."""
    assert parse("TRUE") == Bool(True)
    assert parse("false") == Bool(False)
    assert parse("TRUE()") == Func("TRUE", ())


def test_error_literals_all_kinds() -> None:
    """Every Excel error spelling is an error literal."""
    for code in ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"):
        assert parse(code) == ErrorLit(code)


def test_unclosed_string_is_a_syntax_error() -> None:
    """Formula text that cannot be read raises FormulaSyntaxError."""
    with pytest.raises(FormulaSyntaxError):
        parse('"abc')
    with pytest.raises(FormulaSyntaxError):
        parse("SUM(1,2")


# -------------------------------------------------------------- precedence


def test_multiplication_binds_tighter_than_addition() -> None:
    """1+2*3 is 1+(2*3)."""
    assert parse("1+2*3") == Binary("+", Number(1.0), Binary("*", Number(2.0), Number(3.0)))


def test_negation_binds_tighter_than_power() -> None:
    """Excel reads -2^2 as (-2)^2 = 4."""
    assert parse("-2^2") == Binary("^", Unary("-", Number(2.0)), Number(2.0))


def test_power_is_left_associative() -> None:
    """2^3^2 is (2^3)^2 in Excel."""
    assert parse("2^3^2") == Binary("^", Binary("^", Number(2.0), Number(3.0)), Number(2.0))


def test_percent_and_concatenation_and_comparison_order() -> None:
    """% binds tighter than ^ and *, & is below +, comparisons are lowest."""
    assert parse("50%*2") == Binary("*", Percent(Number(50.0)), Number(2.0))
    tree = parse('1+2&"x"="3x"')
    assert isinstance(tree, Binary)
    assert tree.op == "="
    assert isinstance(tree.left, Binary)
    assert tree.left.op == "&"
    assert tree.left.left == Binary("+", Number(1.0), Number(2.0))


def test_parentheses_override_precedence() -> None:
    """(1+2)*3 groups the sum."""
    assert parse("(1+2)*3") == Binary("*", Binary("+", Number(1.0), Number(2.0)), Number(3.0))


# ---------------------------------------------------------------- references


def test_absolute_and_relative_parts() -> None:
    """$ marks absolute row and column parts independently."""
    ref = parse("$B3")
    assert isinstance(ref, Ref)
    assert (ref.top, ref.left, ref.abs_left, ref.abs_top) == (3, 2, True, False)


def test_range_is_one_reference() -> None:
    """A1:B2 is one Ref spanning both corners, also when written backwards."""
    assert parse("B2:A1") == Ref(None, 1, 1, 2, 2, is_cell=False)


def test_quoted_sheet_names_with_chinese_and_spaces() -> None:
    """'销售 数据'!A1:B3 keeps the sheet name; '' inside quotes is one quote."""
    ref = parse("'销售 数据'!A1:B3")
    assert isinstance(ref, Ref)
    assert ref.sheet == "销售 数据"
    assert (ref.bottom, ref.right) == (3, 2)
    assert parse("'O''Brien'!A1") == cell(1, 1, "O'Brien")
    assert parse("参数!$A$2") == cell(2, 1, "参数", absolute=True)


def test_whole_columns_and_rows() -> None:
    """A:C spans every row, 2:3 every column."""
    cols = parse("A:C")
    assert isinstance(cols, Ref)
    assert not cols.rows
    assert (cols.top, cols.bottom, cols.left, cols.right) == (1, MAX_ROW, 1, 3)
    rows = parse("Sheet1!2:3")
    assert isinstance(rows, Ref)
    assert not rows.cols
    assert rows.sheet == "Sheet1"
    assert (rows.top, rows.bottom, rows.left, rows.right) == (2, 3, 1, MAX_COL)


def test_defined_names_and_sheet_scoped_names() -> None:
    """A bare identifier is a defined name; Sheet!name is sheet-scoped."""
    assert parse("税率表") == Name("税率表")
    assert parse("Sheet1!rate") == Name("rate", "Sheet1")


def test_range_operator_with_a_function() -> None:
    """INDEX(...):A5 is a RangeOp (a dynamic range)."""
    tree = parse("SUM(INDEX(A1:A9,2):A5)")
    assert isinstance(tree, Func)
    assert isinstance(tree.args[0], RangeOp)


def test_intersection_and_union_operators() -> None:
    """A space between references intersects; commas inside parentheses unite."""
    assert isinstance(parse("B2:E5 C3:D4"), Intersect)
    tree = parse("SUM((A1:A2,C1:C2))")
    assert isinstance(tree, Func)
    assert isinstance(tree.args[0], Union)
    assert len(tree.args[0].items) == 2


def test_spill_operator() -> None:
    """A1# refers to the array spilled from A1."""
    assert parse("SUM(A1#)") == Func("SUM", (SpillRef(cell(1, 1)),))


# ----------------------------------------------------------- structured refs


def test_structured_reference_column() -> None:
    """表1[金额] is the data of one column."""
    assert parse("表1[金额]") == StructRef("表1", (), "金额", "金额")


def test_structured_reference_this_row_and_column_range() -> None:
    """Table1[[#This Row],[Column1]:[Column3]] spans three columns of one row."""
    assert parse("Table1[[#This Row],[Column1]:[Column3]]") == StructRef(
        "Table1", ("#This Row",), "Column1", "Column3"
    )


def test_structured_reference_at_shorthand_and_special_items() -> None:
    """[@金额] is this row of the enclosing table; #All, #Headers+#Data parse."""
    assert parse("[@金额]") == StructRef(None, ("#This Row",), "金额", "金额")
    assert parse("Table1[#All]") == StructRef("Table1", ("#All",), None, None)
    assert parse("T[[#Headers],[#Data],[A]]") == StructRef("T", ("#Headers", "#Data"), "A", "A")


def test_structured_reference_escapes() -> None:
    """A ' escapes ] and # inside column names."""
    assert parse("T['#Qty]") == StructRef("T", (), "#Qty", "#Qty")


# -------------------------------------------------------------- functions


def test_prefixed_function_names() -> None:
    """_xlfn., _xludf. and namespaces are kept in the name; base_name strips _xlfn."""
    tree = parse("_xlfn.RANK.EQ(A2,$A$2:$A$9)")
    assert isinstance(tree, Func)
    assert tree.name == "_XLFN.RANK.EQ"
    assert tree.base_name == "RANK.EQ"
    names = [
        f.name
        for f in function_names(
            parse('_xldudf_JX_TIERED(B2,T,"超额")+JX.BAND(1,T)+_xludf.MONEY(1)')
        )
    ]
    assert names == ["_XLDUDF_JX_TIERED", "JX.BAND", "_XLUDF.MONEY"]


def test_empty_arguments_are_missing() -> None:
    """RANKX(A2:A9,,"dense") has an empty middle argument; F(,) has two."""
    tree = parse('RANKX(A2:A9,,"dense")')
    assert isinstance(tree, Func)
    assert tree.args[1] == Missing()
    assert parse("IF(,)") == Func("IF", (Missing(), Missing()))


def test_array_constants() -> None:
    """{1,2;3,-4} has rows split by ; and accepts strings, booleans and errors."""
    assert parse("{1,2;3,-4}") == ArrayLit(((1.0, 2.0), (3.0, -4.0)))
    arr = parse('{"a",TRUE,#N/A}')
    assert arr == ArrayLit((("a", True, ErrorLitValue("#N/A")),))
    with pytest.raises(FormulaSyntaxError):
        parse("{1,2;3}")


def test_text_literal() -> None:
    """A lone string literal."""
    assert parse('"中文"') == Text("中文")


# -------------------------------------------------------------------- R1C1


def test_r1c1_key_relative_and_absolute() -> None:
    """Relative parts become offsets from the cell, absolute parts stay put."""
    assert r1c1_key("A1+$B$2+B$1+$C3", 3, 3) == "R[-2]C[-2]+R2C2+R1C[-1]+R[0]C3"


def test_r1c1_key_is_the_same_down_a_column() -> None:
    """A filled-down formula has one key for every row; a different one differs."""
    keys = {r1c1_key(f"IF(B{r}>$E$1,B{r}*C{r},0)", r, 4) for r in range(2, 50)}
    assert len(keys) == 1
    assert r1c1_key("B2*2", 2, 4) != r1c1_key("B3*3", 3, 4)


def test_r1c1_key_leaves_strings_sheets_and_tables_alone() -> None:
    """Cell-like text inside strings, quoted sheet names and structured references is kept."""
    key = r1c1_key("\"A1\"&'B2 x'!C3&表1[[#This Row],[D4]]", 1, 1)
    assert key == "\"A1\"&'B2 x'!R[2]C[2]&表1[[#This Row],[D4]]"


def test_r1c1_key_whole_columns_rows_and_numbers() -> None:
    """A:A, 2:$3 and numbers in exponent form are handled."""
    assert r1c1_key("SUM(A:A,2:$3)*1E5", 5, 1) == "SUM(C[0]:C[0],R[-3]:R3)*1E5"


def test_r1c1_key_does_not_touch_function_names() -> None:
    """LOG10( and ATAN2( are names, not cells."""
    assert r1c1_key("LOG10(A1)", 1, 2) == "LOG10(R[0]C[-1])"


def test_range_edges_keep_their_own_dollar_signs() -> None:
    """$A$1:A3 (an expanding range) has a fixed top and a relative bottom, even
    where both corners share a column; B2:A1 is normalised with its flags."""
    ref = parse("$A$1:A3")
    assert isinstance(ref, Ref)
    assert (ref.abs_top, ref.abs_left, ref.abs_bottom, ref.abs_right) == (True, True, False, False)
    rev = parse("B$2:$A1")
    assert isinstance(rev, Ref)
    assert (rev.top, rev.left, rev.bottom, rev.right) == (1, 1, 2, 2)
    assert (rev.abs_top, rev.abs_left, rev.abs_bottom, rev.abs_right) == (False, True, True, False)


def test_a_long_formula_is_shown_in_a_message_by_its_start_and_length() -> None:
    """Messages show ``=`` and the text up to 200 characters, else the start and
    how many more: an 8,204-character mutant made a one-line reason 8,000 wide."""
    import doctest

    import addin.xlsx.formula as formula_module
    from addin.xlsx.formula import MESSAGE_FORMULA_CHARS, formula_excerpt

    text = "A1+" * 2734 + "1"
    shown = formula_excerpt(text)
    assert shown.startswith("=" + text[:MESSAGE_FORMULA_CHARS])
    assert shown.endswith(f"… (+{len(text) - MESSAGE_FORMULA_CHARS:,})")
    assert formula_excerpt("x" * MESSAGE_FORMULA_CHARS) == "=" + "x" * MESSAGE_FORMULA_CHARS
    finder = doctest.DocTestFinder()
    tests = finder.find(formula_module.formula_excerpt, "formula_excerpt", globs=vars(formula_module))
    runner = doctest.DocTestRunner()
    for t in tests:
        runner.run(t)
    assert runner.summarize(verbose=False).failed == 0
