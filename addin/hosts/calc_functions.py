"""What the LibreOffice Calc add-in says about each function, and how it calls it.

Pure Python (the registry and :mod:`addin.hosts.convert`, no UNO): the UNO
component (:mod:`addin.hosts.calc_uno`, running inside LibreOffice) answers
Calc's ``XAddIn`` and ``XCompatibilityNames`` questions from here, and the
build (:mod:`addin.hosts.calc`) generates the IDL interface from the same
answers, so the type library and the component cannot disagree.

Calc calls an add-in function by its method name (the registry name,
``TIERED``) and stores it in ODF as ``org.jixiao.calc.Functions.TIERED``. A
function's *compatibility name* is how an .xlsx spells it: ``TIERED(``, what
the shipped (classic) templates hold; Calc maps it on opening and writes it on
saving (:func:`compatibility_names`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from addin.hosts.convert import argument_help, calc_rows, call
from addin.registry import Argument, FunctionSpec

__all__ = [
    "ADDIN_SERVICE",
    "IMPLEMENTATION_NAME",
    "INTERFACE_NAME",
    "argument_description",
    "calc_call",
    "compatibility_names",
    "function_description",
    "idl_parameter",
    "is_chinese",
    "result_type",
]

#: The implementation (and service) name of the component; Calc stores a call in
#: ODF as ``<this>.<FUNCTION>``.
IMPLEMENTATION_NAME = "org.jixiao.calc.Functions"
#: The generated UNO interface holding one method per registry function.
INTERFACE_NAME = "org.jixiao.calc.XFunctions"
#: The service Calc looks for to find add-ins.
ADDIN_SERVICE = "com.sun.star.sheet.AddIn"

#: UNOIDL words a parameter may not be called (the registry's argument names
#: are lower-case identifiers; one that is a keyword gets a trailing ``_``).
_IDL_KEYWORDS = frozenset(
    (
        "any", "attribute", "boolean", "bound", "byte", "char", "const", "constants",
        "constrained", "double", "enum", "exception", "false", "float", "get", "hyper", "in",
        "inout", "interface", "long", "maybeambiguous", "maybedefault", "maybevoid", "module",
        "needs", "observes", "oneway", "optional", "out", "property", "published", "raises",
        "readonly", "removable", "service", "sequence", "set", "short", "singleton", "string",
        "struct", "transient", "true", "type", "typedef", "unsigned", "void",
    )
)  # fmt: skip


def is_chinese(language: str) -> bool:
    """Whether a UNO locale's language (``zh``) asks for Chinese text first."""
    return language.lower().startswith("zh")


def function_description(spec: FunctionSpec, chinese: bool) -> str:
    """The function wizard's description: both languages, the locale's first.

    >>> from addin.registry import by_name
    >>> function_description(by_name("MONEY"), True).startswith("MONEY(x, [digits], [method]) ")
    True
    """
    zh, en = f"{spec.signature} {spec.help_zh}", f"{spec.signature} {spec.help_en}"
    return f"{zh}\n{spec.help_en}" if chinese else f"{en}\n{spec.help_zh}"


def argument_description(arg: Argument, chinese: bool) -> str:
    """An argument's description in the wizard (keyword arguments list their spellings)."""
    full = argument_help(arg, 10_000)
    return full if chinese else f"{arg.help_en} / {arg.help_zh}"


def idl_parameter(arg: Argument) -> str:
    """The argument's parameter name in the IDL (``value``; ``type_`` for a keyword)."""
    return f"{arg.name}_" if arg.name in _IDL_KEYWORDS else arg.name


def compatibility_names(spec: FunctionSpec) -> tuple[str, ...]:
    """The name an .xlsx file uses for ``spec``: ``TIERED`` (Calc maps it on opening
    and writes it on saving).

    Calc's OOXML import maps one English compatibility name per function (the
    first), so ``_xludf.TIERED``, ``_xldudf_JX_TIERED`` and ``JX.TIERED`` would
    not open as calls even if listed: such files are respelt first with
    ``jixiao template BOOK.xlsx --host classic`` (docs/libreoffice.md).

    >>> from addin.registry import by_name
    >>> compatibility_names(by_name("TIERED"))
    ('TIERED',)
    """
    return (spec.name,)


def result_type(spec: FunctionSpec) -> str:
    """The IDL type of ``spec``'s result.

    ``sequence<sequence<any>>`` holds numbers, empty cells and error values.
    Text inside it is not put into the document's string pool by LibreOffice
    (``ScSequenceToMatrix::CreateMixedMatrix``, see docs/libreoffice.md), so
    ``=A1="B"``, MATCH and COUNTIF would miss it: a function whose results are
    labels (:attr:`~addin.registry.FunctionSpec.text_result`) returns
    ``sequence<sequence<string>>``, which Calc interns.
    """
    return "sequence< sequence< string > >" if spec.text_result else "sequence< sequence< any > >"


def calc_call(spec: FunctionSpec, args: Sequence[Any]) -> tuple[tuple[Any, ...], ...]:
    """Call ``spec`` with the arguments Calc passed; the rows Calc takes back.

    >>> from addin.registry import by_name
    >>> calc_call(by_name("TIERED"), (3000.0, ((0.0, 0.03), (3000.0, 0.1)), "超额", None))
    ((90.0,),)
    """
    return calc_rows(call(spec, args, "calc"), spec.text_result)
