"""jixiao 各宿主的加载项 / the spreadsheet hosts: one module per host, generated from the registry.

* :mod:`addin.hosts.convert` — values between a host and the kernel, and the
  wrappers every host binds (shared by all hosts);
* :mod:`addin.hosts.sources` — the project's modules a host add-in ships as source;
* :mod:`addin.hosts.classic` — classic xlwings UDFs (Windows Excel);
* :mod:`addin.hosts.officejs` — Office.js custom functions (xlwings Server);
* :mod:`addin.hosts.lite` — the xlwings Lite bundle (``jixiao lite-bundle``);
* :mod:`addin.hosts.wps` — the WPS 表格 JS add-in (``jixiao wps-addin``);
* :mod:`addin.hosts.template` — a template respelt for one host (``jixiao template``).

A new host is one module here (and its ``tests/test_hosts_NAME.py``). This
package's ``__init__`` imports nothing, so a host module can be imported (or
shipped, see :mod:`addin.hosts.sources`) without the others.
"""
