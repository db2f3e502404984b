"""deploy/compose.yaml runs what the integration tests run: the same nginx file with every
placeholder filled, the image built from this repository, its health check, two replicas.
(Docker itself is not on the test machines; tests/servers.py starts the same pieces.)"""

import json
import re

import yaml

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
