"""Helpers below every app, imported by any of them: the zip-bomb rule for Office uploads (zipcheck),
spreadsheet formula quoting (spreadsheet) and small request helpers (http: small_int, wants_json). Pure:
they import no app and no model (checked by .importlinter)."""
