"""jixiao 加载项 / everything that meets Excel: registry, bindings, validator, refresh, CLI."""
