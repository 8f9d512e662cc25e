"""The compiled helpers: C sources beside the Python modules that use them,
built by ``pip install`` and optional — without a C compiler each caller's
numpy or Python path does the same work.

Each C module states the interface it was compiled for (``INTERFACE``: raised
whenever its arguments or results change meaning) and each caller the one it
speaks. A build that does not match — an editable install whose C source
changed since it was built — is not used: its answers could mean something
else (a stale splicer once read cell keys of another width and wrote each
value into the next cell). The caller's own path then takes over, exactly as
without a compiler, and the tests, which require the compiled helpers wherever
a compiler is, fail until it is rebuilt.

编译加速模块：与调用方约定的接口版本不符（例如源码改过而未重新编译）时不使用，改走纯 Python 路径。
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["load"]


def load(name: str, interface: int) -> ModuleType | None:
    """The compiled module ``name`` if it is built for ``interface``, else ``None``."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    if getattr(module, "INTERFACE", None) != interface:
        return None
    return module
