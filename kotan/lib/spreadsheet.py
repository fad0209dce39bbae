"""Spreadsheet formula injection: safe_cell() for every CSV/XLSX export, restore_cell() to undo it on import.

A text that begins with =, +, -, @, a tab or a carriage return is read by Excel and LibreOffice as a
formula (OWASP "CSV injection"); openpyxl even writes such a string as a real formula cell. Every export
passes its cells through safe_cell(), which puts a single quote in front of such a text so it stays
text. Only strings are touched: numbers (also negative ones) stay numbers.

A text that already begins with quotes followed by a trigger ("'=x") gets one more quote too, so
restore_cell() can undo exactly what safe_cell() added: restore_cell(safe_cell(v)) == v for every v.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    return text.lstrip("'").startswith(TRIGGERS)


def safe_cell(value):
    """The value to write into an exported cell: a formula-like text gets a leading "'"."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def restore_cell(value):
    """The value safe_cell() was given (for re-importing our own exports); other values unchanged."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]
