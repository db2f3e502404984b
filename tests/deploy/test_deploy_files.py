"""deploy/compose.yaml runs what the integration tests run: the same nginx file with every
placeholder filled, the image built from this repository, its health check, two replicas.
(Docker itself is not on the test machines; tests/servers.py starts the same pieces.)"""

import json
import re
import runpy

import yaml
from django.conf import settings

from eval_metrics.form_base import MAX_URL_BYTES
from eval_metrics.uploads import MAX_UPLOAD_BYTES
from tests.servers import ROOT

COMPOSE = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())


def test_the_front_nginx_is_the_file_the_tests_run_with_every_placeholder_filled():
    nginx = COMPOSE["services"]["nginx"]
    [mount] = nginx["volumes"]
    source, target = mount.split(":")[:2]
    assert (ROOT / "deploy" / source).resolve() == ROOT / "deploy" / "nginx" / "gradacc.conf"
    # The nginx image runs envsubst over /etc/nginx/templates/*.template into conf.d.
    assert target.startswith("/etc/nginx/templates/") and target.endswith(".conf.template")
    template = (ROOT / "deploy" / "nginx" / "gradacc.conf").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", template))
    assert placeholders == set(nginx["environment"])
    servers = nginx["environment"]["GRADACC_UPSTREAM_SERVERS"]
    assert "server web:8000 max_fails=1" in servers and "server web:8000 backup" in servers


def test_the_instances_are_the_image_with_its_health_check():
    web = COMPOSE["services"]["web"]
    assert (ROOT / "deploy" / web["build"]["context"]).resolve() == ROOT
    assert (ROOT / "Dockerfile").exists()
    assert web["deploy"]["replicas"] >= 2
    dockerfile = (ROOT / "Dockerfile").read_text()
    healthcheck = re.search(r"^\s*CMD (\[.*\])$", dockerfile.split("HEALTHCHECK")[1], re.M)[1]
    assert web["healthcheck"]["test"] == ["CMD", *json.loads(healthcheck)]
    assert COMPOSE["services"]["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    # Only nginx reaches the instances: they publish no port.
    assert "ports" not in web


def nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2}[unit.lower()]


def test_one_body_limit_in_django_the_csv_reader_and_both_proxies_held_in_memory():
    """POSTed metric data (pasted lists or a CSV file) has one cap, 10 MiB, everywhere it is
    enforced, and neither nginx nor Django writes a body to disk."""
    cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert cap == settings.FILE_UPLOAD_MAX_MEMORY_SIZE == MAX_UPLOAD_BYTES == 10 * 1024**2
    assert settings.FILE_UPLOAD_HANDLERS == [
        "django.core.files.uploadhandler.MemoryFileUploadHandler"
    ]
    for name in ("gradacc.conf", "instance.conf"):
        text = (ROOT / "deploy" / "nginx" / name).read_text()
        body = re.search(r"client_max_body_size (\S+);", text).group(1)
        buffer = re.search(r"client_body_buffer_size (\S+);", text).group(1)
        assert nginx_size(body) == cap, name
        assert nginx_size(buffer) >= cap, name  # in memory, never a client_body_temp file


def test_the_browser_switches_to_post_well_short_of_the_request_line_limit():
    gunicorn = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gunicorn["limit_request_line"] == 8190  # unchanged: long data goes by POST
    # "GET ", the address and " HTTP/1.1", with room for a proxy that adds to the path.
    assert len("GET ") + MAX_URL_BYTES + len(" HTTP/1.1") + 1_000 < gunicorn["limit_request_line"]
