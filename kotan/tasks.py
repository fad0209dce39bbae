"""Project-level tasks: a ping used by the CI smoke test to prove a worker answers."""

from celery import shared_task


@shared_task(name="kotan.ping", ignore_result=False)  # the only task whose result is read (CI)
def ping() -> str:
    return "pong"
