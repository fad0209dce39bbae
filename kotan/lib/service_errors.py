"""Errors raised by services; each carries a message in Bahasa Indonesia fit to show the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the request. `message` is for the user; `code` for views and tests."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid", details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or []


class NotAllowed(ServiceError):
    """The user may see the object but not change it now (role, state or deadline)."""

    status = 403


class Conflict(ServiceError):
    """A save based on a stale value: someone else changed the answer first."""

    status = 409

    def __init__(
        self,
        message: str,
        *,
        current_value,
        current_version: int,
        changed_by: str,
        changed_at,
        changed_by_staff: bool = False,
    ):
        super().__init__(message, code="conflict")
        self.current_value = current_value
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        # True when a logged-in user (BNNK staff) wrote the newer value, False for a respondent link or none.
        self.changed_by_staff = changed_by_staff
