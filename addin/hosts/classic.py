"""Classic Windows worksheet functions for the xlwings Excel add-in (``@xw.func``).

Set this module as the add-in's UDF module (``UDF Modules: addin.hosts.classic`` in
the xlwings ribbon tab or the ``xlwings.conf`` sheet) and click *Import
Functions*: Excel then offers ``WSCORE``, ``TIERED`` … in the function wizard,
under the category "jixiao …", with the Chinese help (cut to Excel's 255
characters) for the function and each argument. See docs/excel-windows.md.

The functions are generated from :mod:`addin.registry` by
:func:`addin.hosts.convert.bind`; every argument is read as a 2-D range
(``ndim=2``) with cell errors as their spelling. On Linux and macOS xlwings'
decorators do nothing, so the module still imports and each function is a
plain callable returning the kernel's result in host form (2-D lists, ``""``
for empty cells, errors as text: the spelling and the kernel's reason, such
as ``"#VALUE! 参数 mode …"`` — see :mod:`addin.hosts.convert` for why).
"""

from __future__ import annotations

import xlwings as xw

from addin.hosts.convert import bind

__all__ = ["EXPORTED"]

#: The Excel names defined in this module (each a module attribute).
EXPORTED: list[str] = bind(globals(), "classic", xw.func, xw.arg)
