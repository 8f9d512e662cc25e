"""The package layer: reading and writing Office Open XML workbooks.

Addresses, the model and the formula grammar:

- :mod:`.a1` — A1 addresses and column letters;
- :mod:`.model` — the workbook model the reader builds and the engine reads
  (with :class:`~.model.SharedGroup`, a shared formula's group);
- :mod:`.formula` — Excel's formula grammar (parser, R1C1 keys);
- :mod:`.formula_shift` — moving a formula's text as Excel fills it
  (``shift_formula``, the templates shared groups expand from);
- :mod:`.excel_names` — the ``_xlfn.`` prefixes of newer functions.

The zip layer and safe XML:

- :mod:`.package` — the input file, the checks made before anything is
  inflated (zip bombs, hostile entry names), bounded reads, relationships;
- :mod:`.package_writer` — the output package: unchanged entries copied raw,
  changed parts deflated (in pieces on several cores), a zip64 fallback;
- :mod:`.atomic_write` — writing a file through a temporary file renamed over
  it, and clearing the temporary files a killed run left;
- :mod:`.safexml` — the safe parser, the prolog check refusing a DTD, element
  helpers.

One module per package part, each reading its part (and, for a part the
writer changes on its own, writing it):

- :mod:`.workbook` — ``xl/workbook.xml``: locating the sheets, defined names,
  and ``read_workbook``, which reads every part through the modules below;
- :mod:`.worksheets` — the sheet parts: cells, formulas, hidden rows, markup
  checks (with :mod:`.sheetxml`, the one cell grammar of reader and writer,
  and :mod:`.colscan`/:mod:`.columns`, plain value cells as typed columns),
  and :mod:`.sheet_writer`, splicing computed values into a sheet part's bytes;
- :mod:`.shared_strings` — ``xl/sharedStrings.xml``;
- :mod:`.styles` — ``xl/styles.xml`` (the number of cell formats);
- :mod:`.metadata` — ``xl/metadata.xml`` (which cells are dynamic arrays);
- :mod:`.tables` — ``xl/tables/tableN.xml``;
- :mod:`.external_links` — ``xl/externalLinks/externalLinkN.xml``: links to
  other workbooks, read, and their cached values updated (the writer calls it).

Writing the output:

- :mod:`.writer` — ``write_results``: computed values into a copy of the
  original package in one pass (sheets, link caches, calculation state);
- :mod:`.values_only` — the values-only copy: formulas replaced by their
  values, ``calcChain.xml`` dropped.

Used by both :mod:`addin.refresh` and :mod:`addin.validate`.
"""
