"""Autosave, the request KOTAN serves most: one answer saved per POST, by BNNK staff or a respondent.

reads.py (the questionnaire or link, with the session's user, in one statement), specs.py (questions of a
locked instrument, in memory), writes.py (the save: version check, history, one transaction), rows.py (its
statements in plain SQL), sql_rows.py (model instances from such rows) and responses.py (the JSON contract
of static/js/autosave.js, shared by the staff and respondent views). It may import the assessments models,
workflow and errors, accounts and kotan.access; nothing outside the views imports it but the services.
"""
