"""Files that run outside the project's Python: inside LibreOffice.

* :mod:`.worker` — run by the *system* ``python3`` (the one ``python3-uno`` is
  built for): starts a private headless ``soffice``, installs the Basic
  wrappers, and recalculates workbooks on request (JSON lines on stdin/stdout).
* :mod:`.bridge` — copied into the private profile as a Python macro; the Basic
  wrappers call its ``call(name, args)`` to run the contract functions in the
  kernel (``udfs``).

Neither is imported by the project itself; :mod:`addin.refresh.libreoffice`
starts them.
"""
