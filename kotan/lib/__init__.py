"""Helpers below every app, imported by any of them: the zip-bomb rule for Office uploads (zipcheck) and
spreadsheet formula quoting (spreadsheet). Pure: they import no app and no model."""
