"""The beat schedule names only registered tasks, and e-mail links start with SITE_URL."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.test import override_settings

from kotan.celery import app
from notifications import services


def registered_task_names() -> set[str]:
    app.loader.import_default_modules()  # what a worker does at start: CELERY_IMPORTS + autodiscovery
    return set(app.tasks.keys())


@pytest.mark.django_db  # a worker's start-up model checks ask SQLite whether it supports JSON fields
def test_every_beat_entry_names_a_registered_task():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"deadline-reminders", "review-reminders", "plan-overdue-reminders"} <= set(schedule)
    names = registered_task_names()
    for key, entry in schedule.items():
        assert entry["task"] in names, f"beat entry {key!r} names unknown task {entry['task']!r}"
        assert isinstance(entry["schedule"], crontab | timedelta)
    assert schedule["score-sweep"]["schedule"] == timedelta(seconds=settings.SCORE_SWEEP_SECONDS)


def test_reminders_run_in_the_morning_jakarta_time():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"
    deadline, review = schedule["deadline-reminders"]["schedule"], schedule["review-reminders"]["schedule"]
    assert (deadline.hour, deadline.minute) == ({7}, {0})
    assert (review.hour, review.minute) == ({7}, {15})


def test_the_beat_app_reads_the_django_schedule():
    assert app.conf.beat_schedule.keys() == settings.CELERY_BEAT_SCHEDULE.keys()


@override_settings(SITE_URL="https://kotan.example/")
def test_absolute_links_use_site_url():
    assert services.absolute_url("/survei/") == "https://kotan.example/survei/"
    assert services.absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"
