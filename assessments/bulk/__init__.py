"""Bulk entry: the Excel template of a group, its upload preview, and applying it."""
