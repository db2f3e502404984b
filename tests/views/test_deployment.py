"""Production settings and the production server, run the way the Dockerfile runs them."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.test import RequestFactory
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "gradacc.example,127.0.0.1",
    "DJANGO_SECURE_SSL": "1",
}


def production_env(**overrides):
    # The browser tests' async escape hatch must never reach a production process.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **PRODUCTION_ENV, **overrides}


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_ssl_setting_turns_on_hsts_and_redirects():
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="gradacc_site.settings"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert int(out[0]) >= 31_536_000 and out[1] == "True"


def test_custom_500_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_as_in_the_docker_image():
    """The Dockerfile's CMD and HEALTHCHECK, with the environment it sets."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = re.search(r"^CMD \[(.*)\]$", dockerfile, re.M).group(1)
    argv = [part.strip().strip('"') for part in command.split(",")]
    assert argv[0] == "gunicorn"
    port = free_port()
    env = production_env(
        DJANGO_SECURE_SSL="0", HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1"
    )
    argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        body = None
        for _ in range(100):
            try:
                url = f"http://127.0.0.1:{port}"
                body = urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        assert body == b"ok"
        page = urllib.request.urlopen(url + "/gradient-accumulation/?gpus=16", timeout=5)
        assert page.status == 200 and b"accumulation_steps" in page.read()
    finally:
        server.terminate()
        server.wait(timeout=10)
