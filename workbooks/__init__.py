"""Office templates built from source: ``python -m workbooks.build``."""
