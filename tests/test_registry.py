"""The registry of exported functions: complete, consistent with the kernel and the contract."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest
from external import SharedDir

from addin import registry
from addin.registry import FUNCTIONS, NAMESPACE, FunctionSpec, by_name, lookup
from udfs import keywords as _keywords

SPECS = {spec.name: spec for spec in FUNCTIONS}
#: The contract in the repository: the reference generated from the registry.
CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "functions.md"
EXAMPLES = [(spec.name, i) for spec in FUNCTIONS for i in range(len(spec.examples))]


def _plain(result: object) -> object:
    """A kernel result as plain Python for comparison with an example's result."""
    if isinstance(result, np.ndarray):
        return result.tolist()
    return result


def contract_signatures(text: str) -> dict[str, str]:
    """Function name → signature, from the ``### `NAME(args)``` headings of a contract text."""
    headings = re.findall(r"^### `([A-Z_]+\(.*\))`\s*$", text, flags=re.M)
    return {h.split("(")[0]: h for h in headings}


def test_registry_is_the_committed_contract() -> None:
    """The contract in the repository, docs/functions.md: one heading per registry
    function with its signature, and no heading the registry lacks (needs nothing
    outside the repository; the examples are checked by test_examples_give_their_results)."""
    contract = contract_signatures(CONTRACT.read_text(encoding="utf-8"))
    assert contract == {name: spec.signature for name, spec in SPECS.items()}


def contract_arguments(signature: str) -> list[str]:
    """The argument list of ``NAME(a, b, [c])`` as written: ``["a", "b", "[c]"]``."""
    inner = signature[signature.index("(") + 1 : signature.rindex(")")]
    return [a.strip() for a in inner.split(",") if a.strip()]


def extends_the_contract(registry_signature: str, written: str) -> bool:
    """The registry keeps the written arguments, in order and with their
    optionality, and adds only optional ones after them (an extension a
    formula written to the contract cannot notice)."""
    ours, theirs = contract_arguments(registry_signature), contract_arguments(written)
    added = ours[len(theirs) :]
    return ours[: len(theirs)] == theirs and all(a.startswith("[") for a in added)


def test_extension_rule() -> None:
    """Only optional arguments appended at the end count as an extension."""
    written = "F(a, b, [c])"
    assert extends_the_contract("F(a, b, [c])", written)
    assert extends_the_contract("F(a, b, [c], [d])", written)
    assert not extends_the_contract("F(a, b, [c], d)", written)
    assert not extends_the_contract("F(a, [d], b, [c])", written)
    assert not extends_the_contract("F(a, b)", written)
    assert not extends_the_contract("F(a, b, c)", written)


def test_names_match_the_contract(shared_dir: SharedDir) -> None:
    """Every function heading in the written contract FUNCTIONS.md (external material)
    is in the registry with the same signature, or one that extends it with
    optional arguments at the end (FORCED_DIST's ``[groups]``); every extension is
    documented in docs/functions.md with a worked example that uses it."""
    contract = contract_signatures((shared_dir / "FUNCTIONS.md").read_text(encoding="utf-8"))
    assert contract, "no function headings found in FUNCTIONS.md"
    reference = CONTRACT.read_text(encoding="utf-8")
    for name, heading in contract.items():
        assert name in SPECS, f"{name} is in FUNCTIONS.md but not in the registry"
        spec = SPECS[name]
        assert extends_the_contract(spec.signature, heading), (spec.signature, heading)
        written = len(contract_arguments(heading))
        assert [a.extension for a in spec.args] == [False] * written + [True] * (len(spec.args) - written)
        for arg in spec.args[written:]:
            assert f"`{arg.name}`" in reference.split(f"### `{spec.signature}`", 1)[1].split("\n### ", 1)[0]
            assert any(len(e.args) > written and e.args[written + spec.args[written:].index(arg)] is not None
                       for e in spec.examples), f"{name}: no example uses {arg.name}"


def test_names_are_unique_upper_case_vba_identifiers() -> None:
    """Names are upper-case ASCII identifiers (valid VBA and Office.js names), no duplicates."""
    names = registry.names()
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name)
        assert len(name) <= 31  # VBA procedure names in MacroOptions stay short


@pytest.mark.parametrize("name", sorted(SPECS))
def test_lookup_accepts_every_file_spelling(name: str) -> None:
    """TIERED, _xludf.TIERED, _xldudf_JX_TIERED and JX.TIERED, in any case, find the entry."""
    spec = SPECS[name]
    spellings = spec.spellings
    assert spellings == (name, f"_xludf.{name}", f"_xldudf_{NAMESPACE}_{name}", f"{NAMESPACE}.{name}")
    for spelling in spellings:
        assert lookup(spelling) is spec
        assert lookup(spelling.lower()) is spec
    assert by_name(name) is spec


def test_lookup_accepts_a_server_manifest_namespace() -> None:
    """xlwings Server may put its manifest namespace in front of JX."""
    tiered = by_name("TIERED")
    assert lookup("XLWINGS.JX.TIERED") is tiered
    assert lookup("_xldudf_XLWINGS_JX_TIERED") is tiered
    assert lookup("_xldudf_XLWINGS_JX_RANK_PRIZE") is by_name("RANK_PRIZE")


def test_lookup_rejects_other_names() -> None:
    """Excel's own functions, other namespaces and near misses are not ours."""
    others = (
        "SUM", "_xlfn.RANK.EQ", "JX.SUM", "_xludf.SUMX", "TIERED2", "", "JX.", "OTHER.TIERED",
        "_xldudf_OTHER_TIERED_X", "_xldudf_XJX_SUM", "_xldudf_AJX_TIERED",
    )  # fmt: skip
    for other in others:
        assert lookup(other) is None, other


def test_spellings_index_lists_four_per_function() -> None:
    """spellings() yields every spelling of every function, each mapping back to it."""
    pairs = list(registry.spellings())
    assert len(pairs) == 4 * len(FUNCTIONS)
    for spelling, spec in pairs:
        assert lookup(spelling) is spec


@pytest.mark.parametrize("name", sorted(SPECS))
def test_argument_counts(name: str) -> None:
    """arg_counts is (required, all); required arguments come before optional ones."""
    spec = SPECS[name]
    lo, hi = spec.arg_counts
    assert hi == len(spec.args)
    assert [a.optional for a in spec.args] == [False] * lo + [True] * (hi - lo)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_kernel_signature_matches(name: str) -> None:
    """The kernel callable is udfs.<module>.<name lower>, with the registry's arguments in order,
    optional ones defaulting to None."""
    spec = SPECS[name]
    assert spec.attr == name.lower()
    assert spec.module.startswith("udfs.")
    params = list(inspect.signature(spec.kernel).parameters.values())
    assert [p.name for p in params] == [a.name for a in spec.args]
    for p, a in zip(params, spec.args, strict=True):
        if a.optional:
            assert p.default is None, f"{name}.{a.name} should default to None"
        else:
            assert p.default is inspect.Parameter.empty


def test_keywords_come_from_the_kernel() -> None:
    """Keyword arguments carry the kernel's own Keyword objects (spellings are not retyped)."""
    kernel_keywords = {
        id(getattr(_keywords, n)) for n in ("SIDE", "MODE", "WHICH", "METHOD", "TIES", "ROUNDING")
    }
    seen = set()
    for spec in FUNCTIONS:
        for a in spec.args:
            if a.kind == "keyword":
                assert a.keyword is not None
                assert id(a.keyword) in kernel_keywords
                assert a.spellings == tuple(a.keyword.spellings())
                assert a.default == a.keyword.default
                seen.add(id(a.keyword))
            else:
                assert a.keyword is None
                assert a.spellings == ()
    assert seen == kernel_keywords


def test_help_is_chinese_first_and_complete() -> None:
    """Every function and argument has Chinese and English help and a category."""
    for spec in FUNCTIONS:
        assert all((spec.help_zh, spec.help_en, spec.category_zh, spec.category_en))
        assert re.search(r"[\u4e00-\u9fff]", spec.help_zh)
        assert spec.help.startswith(spec.help_zh)
        for a in spec.args:
            assert all((a.help_zh, a.help_en)), f"{spec.name}.{a.name} lacks help"
            assert re.search(r"[\u4e00-\u9fff]", a.help_zh)


@pytest.mark.parametrize(("name", "index"), EXAMPLES)
def test_examples_give_their_results(name: str, index: int) -> None:
    """Each registry example (the FUNCTIONS.md examples) gives its stated result via the kernel."""
    spec = SPECS[name]
    example = spec.examples[index]
    assert _plain(spec(*example.args)) == example.result


def test_every_function_has_an_example() -> None:
    """Every function has at least one worked example (the reference and tests use them)."""
    assert [spec.name for spec in FUNCTIONS if not spec.examples] == []


def test_calling_fills_omitted_arguments_and_checks_counts() -> None:
    """Calling an entry passes omitted arguments as None and refuses wrong counts."""
    money = by_name("MONEY")
    assert money(2.675) == 2.68
    with pytest.raises(TypeError):
        money()
    with pytest.raises(TypeError):
        money(1, 2, "half-up", 4)


def test_specs_validate_themselves() -> None:
    """A malformed entry (lower-case name, required after optional) is refused at definition."""
    ok = FUNCTIONS[0]
    with pytest.raises(ValueError, match="upper-case"):
        FunctionSpec(
            "tiered", ok.module, ok.attr, "x", "x", "x", "x", ok.args, ok.examples
        )
    with pytest.raises(ValueError, match="required"):
        FunctionSpec(
            "X", ok.module, ok.attr, "x", "x", "x", "x", tuple(reversed(ok.args)), ()
        )
