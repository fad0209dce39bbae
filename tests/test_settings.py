"""Settings from the environment: production refuses to start unconfigured and passes check --deploy."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The settings under test come from `env` alone, not from the CI step's own variables.
    ours = {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "CACHE_URL", "DEBUG"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="kotan.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_check_deploy_prints_no_warning():
    key = "k7R!f9#pQ2@zL5$wX8^mN3&vB6*cH1(jT4)yG0-uE_sD+aO=iU[lP]oK{nJ}hM"
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=key,
        ALLOWED_HOSTS="kotan.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_sqlite_and_eager():
    from django.conf import settings

    if "DATABASE_URL" not in os.environ:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if "CELERY_BROKER_URL" not in os.environ:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"


def test_database_url_switches_to_postgres_with_persistent_connections():
    code = (
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], 'pool' in d['OPTIONS'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'],"
        " d['OPTIONS']['prepare_threshold'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://u@127.0.0.1:5432/kotan",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "kotan",
        "False",
        "600",
        "True",
        "5",
        "False",
        "redis://127.0.0.1:6379/3",
    ]


def test_ping_task_runs_eagerly():
    from kotan.celery import ping

    assert ping.delay().get(timeout=5) == "pong"


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7R!f9#pQ2@zL5$wX8^mN3&vB6*cH1(jT4)yG0-uE_sD+aO=iU[lP]oK{nJ}hM",
    "ALLOWED_HOSTS": "kotan.example",
    "DATABASE_URL": "sqlite:///:memory:",
}


def test_production_security_settings():
    code = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.X_FRAME_OPTIONS,"
        " s.SESSION_COOKIE_AGE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER,"
        " 'django.middleware.csp.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE]))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    secure, csrf_secure, redirect, hsts, subdomains, frames, age, httponly, proxy, csp = json.loads(
        result.stdout
    )
    assert secure and csrf_secure and redirect and subdomains and httponly and csp
    assert hsts >= 365 * 24 * 60 * 60
    assert frames == "DENY"
    assert 0 < age <= 8 * 60 * 60
    assert proxy == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_responses_carry_the_security_headers():
    # A request as nginx forwards it (https) and one that arrived over plain http. (OPTIONS: it renders
    # no template, so no collectstatic manifest is needed.)
    code = (
        "import json; from django.test import Client; c = Client();"
        "r = c.options('/akun/login/', secure=True, headers={'host': 'kotan.example'});"
        "p = c.get('/akun/login/', headers={'host': 'kotan.example'});"
        "print(json.dumps([r.status_code, dict(r.headers), p.status_code, p.headers.get('Location')]))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    status, headers, plain_status, location = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert (plain_status, location) == (301, "https://kotan.example/akun/login/")


def test_static_files_are_compressed_in_production_unless_told_not_to():
    code = "from django.conf import settings as s; print(s.STORAGES['staticfiles']['BACKEND'])"
    compressed = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    plain = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION, STATIC_COMPRESS="0")
    assert compressed.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert plain.stdout.strip() == "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
