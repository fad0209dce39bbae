"""What settings and urls plug in by dotted path, and no app builds on: the Redis cache backend and Celery
broker transport, logging filters, error handlers, middleware (language, NUL refusal, gzip) and the health
checks (/healthz, /readyz)."""
