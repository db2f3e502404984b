"""Real servers on loopback for integration tests: production gunicorn and an nginx cache."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "gradacc.example,127.0.0.1,localhost",
    "DJANGO_SECURE_SSL": "1",
}


def production_env(**overrides) -> dict:
    # The browser tests' async escape hatch must never reach a production process.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **PRODUCTION_ENV, **overrides}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(150):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Gunicorn:
    """gunicorn as the Dockerfile runs it (gunicorn.conf.py), with production settings."""

    def __init__(self, workers: int = 1, argv: list[str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = production_env(
            DJANGO_SECURE_SSL="0",
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY=str(workers),
            GUNICORN_ACCESS_LOG="",
        )
        argv = list(argv or ["gunicorn", "gradacc_site.wsgi"])
        argv[0] = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        wait_until_up(self.url + "/healthz", self.process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  proxy_cache_path {tmp}/cache keys_zone=site:1m;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass {upstream};
      proxy_set_header Host 127.0.0.1;
      proxy_cache site;
      add_header X-Cache-Status $upstream_cache_status always;
    }}
  }}
}}
"""


class NginxCache:
    """Debian's nginx as a plain caching reverse proxy: it honours Cache-Control and Vary."""

    def __init__(self, upstream: str, tmp: Path):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        conf = tmp / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, port=self.port, upstream=upstream))
        self.process = subprocess.Popen([binary, "-c", str(conf), "-p", str(tmp)])
        wait_until_up(self.url + "/healthz", self.process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
