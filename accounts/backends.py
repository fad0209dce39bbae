"""The authentication backend: Django's ModelBackend, under the dotted path every logged-in session stores.

A session keeps the path of the backend that logged it in (django.contrib.auth.BACKEND_SESSION_KEY), so
this class stays at accounts.backends.ModelBackend: renaming or removing it would log everybody out.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    """Django's own, unchanged."""
