"""The scoring app: the pure engine (engine.py, engine_gains.py), its inputs, the stored Score, and the
Celery tasks and scheduling that keep stored scores fresh. Above the survey (assessments), below reports."""
