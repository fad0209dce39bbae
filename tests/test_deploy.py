"""deploy/ holds what production runs; these checks keep it in step with the code (light, no server)."""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
APP = "/srv/kotan/app"


def unit(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser["Service"]


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "kotan.env.example").read_text().splitlines():
        name, sep, value = line.lstrip("# ").partition("=")
        if sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            values[name] = value.strip('"')
    return values


@pytest.mark.parametrize(
    "name, program, arguments",
    [
        ("kotan-web.service", "gunicorn", ["kotan.wsgi", "-c", f"{APP}/deploy/gunicorn.conf.py"]),
        ("kotan-worker.service", "celery", ["-A", "kotan", "worker"]),
        ("kotan-beat.service", "celery", ["-A", "kotan", "beat"]),
        ("kotan-backup.service", "backup.sh", []),
    ],
)
def test_units_start_commands_that_exist(name, program, arguments):
    service = unit(name)
    command = shlex.split(service["ExecStart"])
    assert Path(command[0]).name == program
    assert command[1 : 1 + len(arguments)] == arguments
    if program == "backup.sh":
        assert command[0] == f"{APP}/deploy/backup.sh"
        assert (DEPLOY / "backup.sh").stat().st_mode & 0o111
    else:
        assert command[0] == f"/srv/kotan/venv/bin/{program}"
        assert (VENV_BIN / program).exists()  # the same program from requirements.txt
    for path in command:
        if path.startswith(APP + "/"):
            assert (ROOT / path.removeprefix(APP + "/")).exists(), path
    assert service["User"] == "kotan" and service["EnvironmentFile"] == "/etc/kotan/kotan.env"
    if program != "backup.sh":
        assert service["WorkingDirectory"] == APP


def test_web_and_worker_may_write_only_the_media_folder():
    media = env_example()["MEDIA_ROOT"]
    for name in ("kotan-web.service", "kotan-worker.service"):
        service = unit(name)
        assert service["ProtectSystem"] == "strict"
        assert service["ReadWritePaths"] == media


def test_the_celery_app_and_its_commands_exist():
    from celery.bin.celery import celery as cli

    from kotan.celery import app

    assert app.main == "kotan"
    assert {"worker", "beat"} <= set(cli.commands)


def test_gunicorn_accepts_its_config():
    result = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--check-config", "-c", "deploy/gunicorn.conf.py", "kotan.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nginx_serves_static_but_never_media(settings):
    conf = (DEPLOY / "nginx-kotan.conf").read_text()
    code = "\n".join(line.split("#")[0] for line in conf.splitlines())
    locations = re.findall(r"location\s+(?:[=~*^]+\s+)?(\S+)", code)
    assert not [loc for loc in locations if "media" in loc]
    assert f"alias {env_example()['STATIC_ROOT']}/;" in code
    assert "server 127.0.0.1:8001;" in code  # gunicorn.conf.py's default bind
    assert "proxy_set_header X-Real-IP $remote_addr;" in code
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in code
    # every static location sends collectstatic's .gz copies (bootstrap.min.css 227 KB -> 31 KB)
    blocks = [b.split("\n", 1) for b in code.split("location")[1:]]  # (the pattern line, the body)
    static_blocks = [body.split("}")[0] for line, body in blocks if "/static/" in line]
    assert len(static_blocks) == 2 and all("gzip_static on;" in block for block in static_blocks)
    body_mb = int(re.search(r"client_max_body_size\s+(\d+)m;", code).group(1))
    evidence_mb = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
    assert int(env_example()["EVIDENCE_MAX_MB"]) == evidence_mb
    assert body_mb == evidence_mb + 1
    # /readyz (error details of the database and Redis) is answered to this host only
    readyz = next(body.split("}")[0] for line, body in blocks if line.strip().startswith("= /readyz"))
    assert "allow 127.0.0.1;" in readyz and "deny all;" in readyz


def test_env_example_names_only_variables_something_reads():
    sources = [ROOT / "kotan" / "settings.py", DEPLOY / "gunicorn.conf.py", *DEPLOY.glob("*.sh")]
    readers = "".join(path.read_text() for path in [*sources, *DEPLOY.glob("*.service")])
    unread = [name for name in env_example() if name not in readers]
    assert unread == []


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh", "manage.sh"])
def test_scripts_parse(script):
    path = DEPLOY / script
    assert path.stat().st_mode & 0o111
    assert subprocess.run(["/bin/bash", "-n", str(path)], capture_output=True).returncode == 0


def test_readme_production_section_points_to_deploy():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Production") :].split("\n## ", 1)[0]
    assert "deploy/README.md" in section and "deploy/BACKUP.md" in section
