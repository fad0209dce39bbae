"""End-to-end checks through a real Celery worker: each check sends work and waits (bounded) for it."""

import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotan.settings")
django.setup()

from kotan.tasks import ping  # noqa: E402


def check_ping() -> None:
    result = ping.delay()
    value = result.get(timeout=60)
    assert value == "pong", value
    print("ping through the worker: ok")


CHECKS = [check_ping]

if __name__ == "__main__":
    started = time.monotonic()
    for check in CHECKS:
        check()
    print(f"celery e2e: {len(CHECKS)} passed, 0 failed in {time.monotonic() - started:.1f}s")
    sys.exit(0)
