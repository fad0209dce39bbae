"""gunicorn settings for KOTAN in production: `gunicorn kotan.wsgi -c deploy/gunicorn.conf.py`.

Behind nginx (deploy/nginx-kotan.conf) on loopback. Every value can be changed from the environment
(the systemd unit reads /etc/kotan/kotan.env) without editing this file.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Loopback only: nginx terminates TLS and is the only client. The login throttle trusts nginx's
# X-Real-IP from this address (TRUSTED_PROXIES in kotan/settings.py).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Sync workers: every request is short (autosave, pages); (2 x cores) + 1, at most 9 by default.
# Each worker keeps one persistent PostgreSQL connection, so workers (with the Celery processes) must
# stay below PostgreSQL's max_connections.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9))
worker_class = "sync"

# An Excel import of 5 MB is parsed in the request; 60 s leaves room. nginx waits 90 s.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then, so a slow leak (pandas, openpyxl) never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200

# Heartbeat files in memory, not on a possibly slow disk (gunicorn's own advice; files are private).
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# Logs to stdout/stderr: journald keeps them (journalctl -u kotan-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address from nginx (the peer is always nginx), the path without the query string, time.
access_log_format = '%({x-real-ip}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# The proxy headers nginx sets are believed from nginx only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

proc_name = "kotan-web"

# gunicornc's control socket in systemd's RuntimeDirectory (/run/kotan), not in the home directory.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")
