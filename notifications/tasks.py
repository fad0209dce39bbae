"""Celery tasks for the beat schedule; the rules live in notifications.reminders."""

from celery import shared_task

from . import reminders


@shared_task(name="notifications.send_deadline_reminders")
def send_deadline_reminders() -> int:
    return reminders.send_deadline_reminders()


@shared_task(name="notifications.send_review_reminders")
def send_review_reminders() -> int:
    return reminders.send_review_reminders()


@shared_task(name="notifications.send_plan_overdue_reminders")
def send_plan_overdue_reminders() -> int:
    return reminders.send_plan_overdue_reminders()
