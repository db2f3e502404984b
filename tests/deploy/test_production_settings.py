"""Production settings and the production server, run the way the Dockerfile runs them."""

import json
import re
import subprocess
import sys
import urllib.request

from django.test import RequestFactory
from django.views.defaults import server_error

from tests.servers import ROOT, Instance, production_env


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


def healthcheck_command() -> list[str]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    argv = json.loads(re.search(r"^\s*CMD (\[.*\])$", dockerfile.split("HEALTHCHECK")[1], re.M)[1])
    return [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]


def test_the_docker_image_command_serves_the_site(tmp_path):
    """The Dockerfile's CMD (nginx in front of gunicorn), with the environment it sets: it
    serves, logs each request to its stdout (the container's log), and its HEALTHCHECK passes,
    asking /healthz for the first allowed host (gradacc.example here, not the 127.0.0.1 it
    connects to), and fails once the server is gone."""
    log = tmp_path / "stdout.log"
    with log.open("wb") as stdout:
        server = Instance(stdout=stdout, ACCESS_LOG="stdout")
    try:
        assert urllib.request.urlopen(server.url + "/healthz").read() == b"ok"
        page = urllib.request.urlopen(server.url + "/gradient-accumulation/?gpus=16")
        assert page.status == 200 and b"accumulation_steps" in page.read()
        check = subprocess.run(healthcheck_command(), cwd=ROOT, env=server.env, timeout=30)
        assert check.returncode == 0
    finally:
        server.stop()
    check = subprocess.run(healthcheck_command(), cwd=ROOT, env=server.env, timeout=30)
    assert check.returncode == 1
    assert '"GET /gradient-accumulation/?gpus=16 HTTP/1.1" 200' in log.read_text()
