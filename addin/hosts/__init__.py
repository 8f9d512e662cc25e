"""Host bindings: one module per spreadsheet host, each generated from :mod:`addin.registry`."""
