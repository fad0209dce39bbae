"""Shared fixtures: the regions loaded once per test database, and a user of every role and scope.

regency_a (Kota Malang) and regency_b (Kabupaten Malang) are in province_a (Jawa Timur);
province_other (Jambi) holds regency_other (Batanghari).
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role, User
from regions.models import Province, Regency

# The Excel bulk-entry fixtures (collection, keluarga, private_media), shared by the Excel test modules.
pytest_plugins = ["tests.excel_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _a_redis_db_per_xdist_worker():
    """With Redis as the cache (the PostgreSQL run of .ci/run), each xdist worker gets a Redis database of
    its own (1 for gw0, 2 for gw1, ...): a test that empties the cache (cache.clear() is FLUSHDB) must
    not drop the cached sessions of a test running at the same time in the other worker."""
    from django.test.signals import setting_changed

    cache = settings.CACHES["default"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    location = cache.get("LOCATION", "")
    if not (isinstance(location, str) and location.startswith("redis") and worker.startswith("gw")):
        return
    url = urlsplit(location)
    own = url._replace(path=f"/{1 + int(worker[2:])}")
    settings.CACHES = {**settings.CACHES, "default": {**cache, "LOCATION": urlunsplit(own)}}
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Regions are reference data every test needs; load them once (idempotent with --reuse-db).
    with django_db_blocker.unblock():
        call_command("load_regions", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_and_local(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _indonesian_after_each_test():
    # A request with the English language cookie leaves English active in this thread (the middleware
    # activates the language per request); later tests that call services directly expect Indonesian.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_dashboard_from_an_earlier_test():
    # Dashboards are cached per fingerprint of their inputs (reports.page_cache); the test database rolls
    # back, so a later test may reuse the same ids and times with other regions or instruments.
    cache.clear()


@pytest.fixture
def province_a(db) -> Province:
    return Province.objects.get(code="35")


@pytest.fixture
def province_other(db) -> Province:
    return Province.objects.get(code="15")


@pytest.fixture
def regency_a(db) -> Regency:
    return Regency.objects.get(code="3573")


@pytest.fixture
def regency_b(db) -> Regency:
    return Regency.objects.get(code="3507")


@pytest.fixture
def regency_other(db) -> Regency:
    return Regency.objects.get(code="1504")


PASSWORD = "test-pass-123"


def make_user(username: str, role: str, **scope) -> User:
    user = User(username=username, role=role, email=f"{username}@example.test", **scope)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def bnnk_a(regency_a) -> User:
    return make_user("bnnk_a", Role.BNNK, regency=regency_a)


@pytest.fixture
def bnnk_b(regency_b) -> User:
    return make_user("bnnk_b", Role.BNNK, regency=regency_b)


@pytest.fixture
def bnnk_other(regency_other) -> User:
    return make_user("bnnk_other", Role.BNNK, regency=regency_other)


@pytest.fixture
def bnnp_a(province_a) -> User:
    return make_user("bnnp_a", Role.BNNP, province=province_a)


@pytest.fixture
def bnnp_other(province_other) -> User:
    return make_user("bnnp_other", Role.BNNP, province=province_other)


@pytest.fixture
def pusat(db) -> User:
    return make_user("pusat", Role.PUSAT)


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client logged in as that user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login
