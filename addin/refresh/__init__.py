"""Headless refresh: read a workbook package, recalculate it, write values back."""
