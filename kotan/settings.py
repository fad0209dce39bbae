"""KOTAN settings: one module, read from environment variables with defaults that run out of the box.

Nothing set: DEBUG on, SQLite in the project folder, Celery eager, console e-mail.
DATABASE_URL switches to PostgreSQL (pooled); CELERY_BROKER_URL switches Celery to Redis.
With DEBUG off the site refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "1")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-kotan-development-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated).")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Scheme and host put in front of links in e-mails sent without a request (notifications, reminders).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "simple_history",
    # Two-factor sign-in (accounts.two_factor): authenticator-app codes (TOTP) and one-time backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "regions",
    "instruments",
    "assessments",
    "scoring",
    "plans",
    "reports",
    "notifications",
    "ninja",  # the read-only API (reports.api); serves Swagger UI from its own static files
]

MIDDLEWARE = [
    # First, so that it compresses the body every other middleware has finished with.
    "kotan.infra.compression.TextGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "kotan.infra.security.RejectNulCharactersMiddleware",
    # WhiteNoise: hashed files immutable for a year, weak ETags (from the gzip above) answered 304.
    "kotan.infra.static.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotan.infra.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session entered a second-factor code (django-otp) ...
    "django_otp.middleware.OTPMiddleware",
    # ... and sends a user who must but did not to the code page (JSON 401 for fetch calls).
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its docs require, so it sees the authenticated user.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kotan.urls"
WSGI_APPLICATION = "kotan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",  # {{ csp_nonce }} for the rare inline block
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # gunicorn's sync workers and Celery's prefork children each serve one request or task at a time, so
    # each keeps one persistent connection (checked before reuse): taking a connection from a pool and
    # giving it back on every request cost more than the rest of an autosave's queries. Django's pool
    # (psycopg-pool; CONN_MAX_AGE must then be 0) is there for threaded servers: DATABASE_POOL=1.
    DATABASES["default"]["CONN_MAX_AGE"] = envint("DATABASE_CONN_MAX_AGE", 600)
    # A database host that drops packets must not hold a request (or /readyz) until TCP gives up: the
    # request answers 503 after this many seconds (kotan.infra.errors).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 5)
    )
    # The few statements assessments.autosave.sql_rows.cursor() runs (every autosave's) are prepared on
    # their 5th use on a connection; Django's own queries are never prepared. DATABASE_PREPARED_STATEMENTS=0
    # behind a pooler in transaction mode (PgBouncer without prepared-statement support).
    if envbool("DATABASE_PREPARED_STATEMENTS", "1"):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
    if envbool("DATABASE_POOL", "0"):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": envint("DATABASE_POOL_MIN", 1),
            "max_size": envint("DATABASE_POOL_MAX", 10),
        }
else:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # WAL and a busy timeout let the dev server and an eager task write without "database is locked".
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",  # Django's, at the path every logged-in session stores
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-factor sign-in (accounts.two_factor): BNN pusat, BNNP and admin (staff, superuser) accounts must
# enter a code from an authenticator app after the password whenever DEBUG is off, and no variable turns
# that off in production (fail closed). With DEBUG on `make run`'s demo users sign in with the password
# alone; TWO_FACTOR_REQUIRED=1 turns it on there to try it. Anyone with a device is asked for it anyway.
# (Read once here, from the DEBUG the process started with: pytest-django switches DEBUG off for tests
# afterwards, and the tests that are about two-factor turn this setting on themselves.)
TWO_FACTOR_REQUIRED = not DEBUG or envbool("TWO_FACTOR_REQUIRED", "0")
OTP_TOTP_ISSUER = "KOTAN BNN"  # the name the authenticator app shows next to the account

# Login throttling (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind nginx every request comes from loopback; the client's address is in X-Real-IP, believed only
# from these proxies (kotan/infra/security.py).
AXES_CLIENT_IP_CALLABLE = "kotan.infra.security.client_ip"
AXES_USERNAME_CALLABLE = "kotan.infra.security.login_username"
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "127.0.0.1,::1")

# Sessions end 8 hours (a working day) after login. Not renewed on every request: autosave would
# otherwise write the session row on each keystroke save.
# Sessions read from the cache (Redis in production), written through to the database: a logged-in
# request (every autosave) costs no session query, and a cache flush or restart logs nobody out. With Redis
# down kotan.infra.cache answers as an empty cache and the sessions come from the database. SESSION_ENGINE=db
# skips the cache (what bench/load.sh compares: README, "Bad days").
SESSION_ENGINES = {
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "db": "django.contrib.sessions.backends.db",
}
if os.environ.get("SESSION_ENGINE", "cached_db") not in SESSION_ENGINES:
    raise ImproperlyConfigured(f"SESSION_ENGINE must be one of {', '.join(SESSION_ENGINES)}.")
SESSION_ENGINE = SESSION_ENGINES[os.environ.get("SESSION_ENGINE", "cached_db")]
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded evidence lives outside static/ and is only served through scope-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_MB", 10) * 1024 * 1024  # per evidence file
# Without DEBUG: hashed names, and gzip and Brotli copies of each file made by collectstatic (served by
# WhiteNoise or by nginx's gzip_static). STATIC_COMPRESS=0 skips the copies, which take minutes on a busy
# machine: the browser walk (e2e/run.sh) collects into a fresh folder on every CI run. With DEBUG the
# files' own names (a changed file shows at once), unless STATIC_HASHED=1: `make run` collects the files
# and sets it, so its pages link hashed names that a browser keeps for a year (kotan.infra.static).
STATIC_HASHED = envbool("STATIC_HASHED", "0")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "kotan.infra.static.HashedStaticFilesStorage"
            if DEBUG and STATIC_HASHED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_COMPRESS", "1")
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail (Django 6.1 MAILERS): console in development unless EMAIL_HOST is set; in production SMTP,
# to the local MTA when EMAIL_HOST is not given.
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 587 if os.environ.get("EMAIL_HOST") else 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "1" if os.environ.get("EMAIL_HOST") else "0"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KOTAN BNN <kotan@localhost>")

# Celery: Redis when CELERY_BROKER_URL is set, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "0" if CELERY_BROKER_URL else "1")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport with the crash on a lost Redis guarded (kotan/infra/broker.py).
    CELERY_BROKER_TRANSPORT = "kotan.infra.broker:Transport"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
if not CELERY_RESULT_BACKEND and CELERY_BROKER_URL.startswith("redis"):
    CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# Time limits: a task past its soft limit gets SoftTimeLimitExceeded (and is retried or left to the sweep),
# past the hard limit its pool process is killed. The default fits the longest task (a period's PDFs);
# the score tasks set tighter limits of their own (scoring/tasks.py).
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60)
# A worker killed mid-task leaves the message unacknowledged, so it is delivered again; the score and
# render tasks are idempotent, so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis keeps a delivered message in its "unacked" set; a worker that dies whole (main process and pool)
# never acknowledges it, and Redis gives it to another worker once this many seconds have passed. It must
# exceed the longest task (the hard time limit) plus the longest countdown, or a task still running would
# be delivered twice; so a lost task comes back after ~20 minutes, and until then the beat sweep, which
# compares each score's fingerprint (scoring.services.stale_collections), repairs what it left wrong.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 5 * 60),
    # Fail fast instead of hanging when Redis is unreachable (a web request enqueues a task).
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "retry_on_timeout": True,
    "health_check_interval": 25,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
# Workers wait for Redis at start and reconnect for as long as it takes when it goes away at run time.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Nothing reads task results (kotan.ping opts back in for the CI smoke test): one Redis write less per task.
CELERY_TASK_IGNORE_RESULT = True
CELERY_IMPORTS = [
    "reports.render_tasks",
    "reports.microdata_tasks",
    "scoring.reliability_tasks",
]  # besides the autodiscovered app tasks
# Jakarta time (CELERY_TIMEZONE). One entry per periodic task; the names are the tasks' registered names.
# Seconds between score sweeps (SCORE_SWEEP_SECONDS, else SCORE_SWEEP_MINUTES x 60; every minute by default:
# after an outage every score is right again within about a minute, at the cost of one query a minute and
# the instrument signatures of the periods with submitted collections).
SCORE_SWEEP_SECONDS = envint("SCORE_SWEEP_SECONDS", 60 * envint("SCORE_SWEEP_MINUTES", 1))
# Seconds between a Celery worker's heartbeats in the database (scoring.heartbeats, read by /readyz).
HEARTBEAT_SECONDS = envint("HEARTBEAT_SECONDS", 30)
CELERY_BEAT_SCHEDULE: dict = {
    "deadline-reminders": {
        "task": "notifications.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "review-reminders": {
        "task": "notifications.send_review_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    # Overdue action items (rencana aksi), each announced once per target date (notifications.reminders).
    "plan-overdue-reminders": {
        "task": "notifications.send_plan_overdue_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Scores missing or stale (broker down when a BNNK saved, a worker killed mid-task, a lost recompute).
    "score-sweep": {
        "task": "reports.sweep_scores",
        "schedule": timedelta(seconds=SCORE_SWEEP_SECONDS),
    },
}
# Seconds a collection's score waits for more changes before it is computed (one task per burst).
SCORE_DEBOUNCE_SECONDS = envint("SCORE_DEBOUNCE_SECONDS", 10)
# Seconds the report cache waits after a score change before re-rendering the period (one per burst).
REPORT_RENDER_DEBOUNCE_SECONDS = envint("REPORT_RENDER_DEBOUNCE_SECONDS", 60)
# Shared cache (score debounce keys) on Redis when Celery uses Redis; per-process memory otherwise.
CACHE_URL = os.environ.get("CACHE_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
if CACHE_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "kotan.infra.cache.RedisCache", "LOCATION": CACHE_URL}}

# Production hardening: applies whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "1")
    # A load balancer or monitor may probe gunicorn directly over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (Django's own middleware), in every mode so breakage shows in development.
# Everything comes from our own origin (static/vendor/, never a CDN); no inline scripts or style
# attributes: behaviour lives in static/js/, looks in static/css/. The nonce allows an inline block
# that cannot be avoided (Django admin uses it). data: images are Bootstrap's SVG icons in its CSS.
# The dashboards' charts are inline SVG from the server (reports/svg.py) with presentation attributes
# (fill=, font-size=), never style="": no script draws them, so no exception is needed here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # While PostgreSQL is away every request answers 503: one line a minute, not a traceback per request.
    # A refused request (401/403/404/405/410): one line "refused 403 GET /path user=7", no traceback.
    "filters": {
        "database_unavailable": {"()": "kotan.infra.logging.DatabaseUnavailableFilter"},
        "refused": {"()": "kotan.infra.logging.RefusedRequestFilter"},
    },
    "loggers": {"django.request": {"filters": ["database_unavailable", "refused"]}},
}
