"""The package layer: reading and writing Office Open XML workbooks.

- :mod:`.a1` — A1 addresses and column letters;
- :mod:`.model` — the workbook model the reader builds and the engine reads;
- :mod:`.formula` — Excel's formula grammar (parser, R1C1 keys);
- :mod:`.package` — the bomb-safe reader of ``.xlsx``/``.xlsm`` packages;
- :mod:`.writer` — splices computed values into a copy of the original package.

Used by both :mod:`addin.refresh` and :mod:`addin.validate`.
"""
