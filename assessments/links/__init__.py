"""Respondent links: making them, the respondent's own pages, and their state."""
