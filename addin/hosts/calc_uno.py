"""The LibreOffice Calc add-in component: the registry's functions as UNO methods.

This file runs inside LibreOffice's Python (the ``.oxt`` built by
:mod:`addin.hosts.calc` carries it as ``jixiao_calc.py``, with the kernel, the
registry and numpy in ``pythonpath/`` beside it, which LibreOffice's Python
loader puts on ``sys.path``). It imports ``uno`` and the interface
``org.jixiao.calc.XFunctions`` from the add-in's own type library, so it
cannot be imported outside LibreOffice.

Calc finds the component through the service ``com.sun.star.sheet.AddIn``,
asks it for names and help (``XAddIn``, answered from
:mod:`addin.hosts.calc_functions`), for the name an .xlsx uses
(``XCompatibilityNames``) and then calls the method named like the function
with one ``any`` per argument (an omitted argument is empty).
"""

from __future__ import annotations

from typing import Any

import uno  # noqa: F401  (installs the import hook for UNO types: com.sun.star…)
import unohelper
from com.sun.star.lang import (
    Locale,
    XServiceInfo,
    XServiceName,
)
from com.sun.star.sheet import (
    LocalizedName,
    XAddIn,
    XCompatibilityNames,
)
from org.jixiao.calc import XFunctions

from addin.hosts.calc_functions import (
    ADDIN_SERVICE,
    IMPLEMENTATION_NAME,
    argument_description,
    calc_call,
    compatibility_names,
    function_description,
    is_chinese,
)
from addin.registry import FUNCTIONS, FunctionSpec, by_name

__all__ = ["Functions", "g_ImplementationHelper"]

#: The (programmatic) category: Calc lists the functions under "Add-in".
_CATEGORY = "Add-In"
_ENGLISH = Locale("en", "US", "")


def _method(spec: FunctionSpec) -> Any:
    def worksheet_function(self: Functions, *args: Any) -> Any:
        return calc_call(spec, args)

    worksheet_function.__name__ = spec.name
    worksheet_function.__doc__ = spec.help
    return worksheet_function


class Functions(unohelper.Base, XFunctions, XAddIn, XCompatibilityNames, XServiceName, XServiceInfo):
    """The add-in object Calc creates; one method per registry function (added below)."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.locale = _ENGLISH

    # XLocalizable
    def setLocale(self, locale: Any) -> None:
        self.locale = locale

    def getLocale(self) -> Any:
        return self.locale

    # XAddIn (the misspelt name is the interface's own)
    def getProgrammaticFuntionName(self, display_name: str) -> str:
        return display_name.upper()

    def getDisplayFunctionName(self, name: str) -> str:
        return name

    def getFunctionDescription(self, name: str) -> str:
        return function_description(by_name(name), is_chinese(self.locale.Language))

    def getDisplayArgumentName(self, name: str, index: int) -> str:
        return by_name(name).args[index].name

    def getArgumentDescription(self, name: str, index: int) -> str:
        return argument_description(by_name(name).args[index], is_chinese(self.locale.Language))

    def getProgrammaticCategoryName(self, name: str) -> str:
        return _CATEGORY

    def getDisplayCategoryName(self, name: str) -> str:
        return by_name(name).category

    # XCompatibilityNames
    def getCompatibilityNames(self, name: str) -> tuple[Any, ...]:
        return tuple(LocalizedName(_ENGLISH, n) for n in compatibility_names(by_name(name)))

    # XServiceName, XServiceInfo
    def getServiceName(self) -> str:
        return IMPLEMENTATION_NAME

    def getImplementationName(self) -> str:
        return IMPLEMENTATION_NAME

    def supportsService(self, name: str) -> bool:
        return name in self.getSupportedServiceNames()

    def getSupportedServiceNames(self) -> tuple[str, ...]:
        return (ADDIN_SERVICE, IMPLEMENTATION_NAME)


for _spec in FUNCTIONS:
    setattr(Functions, _spec.name, _method(_spec))

g_ImplementationHelper = unohelper.ImplementationHelper()  # noqa: N816 (the name LibreOffice looks for)
g_ImplementationHelper.addImplementation(Functions, IMPLEMENTATION_NAME, (ADDIN_SERVICE, IMPLEMENTATION_NAME))
