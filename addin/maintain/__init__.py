"""Tools for template maintainers: ``jixiao spec init`` (lock a workbook's
structure), ``jixiao test`` (run its cases), ``jixiao lint`` (find the
hand-written patterns our functions replace)."""
