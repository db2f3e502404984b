"""Real servers on loopback for integration tests: production gunicorn, the Docker image's
command (nginx in front of gunicorn) and the nginx that balances and caches several of them."""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from deploy.serve import render

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
    """Until the server answers anything (a redirect to HTTPS too), for at most a minute."""
    parts = urllib.parse.urlsplit(url)
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
        try:
            connection.request("GET", parts.path, headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"{url} did not come up")


class LocalServer:
    """A server process on a free loopback port, up once it answers /healthz."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def started(self, process: subprocess.Popen) -> None:
        self.process = process
        try:
            wait_until_up(self.url + "/healthz", self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Gunicorn(LocalServer):
    """gunicorn as the Dockerfile runs it (gunicorn.conf.py), with production settings."""

    def __init__(self, workers: int = 1, argv: list[str] | None = None):
        super().__init__()
        env = production_env(
            DJANGO_SECURE_SSL="0",
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY=str(workers),
            GUNICORN_ACCESS_LOG="",
        )
        argv = list(argv or ["gunicorn", "gradacc_site.wsgi"])
        argv[0] = str(Path(sys.executable).with_name("gunicorn"))
        self.started(
            subprocess.Popen(
                argv, cwd=ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True
            )
        )


def image_command() -> list[str]:
    """The Dockerfile's CMD, with this machine's Python in place of the image's."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    argv = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    if argv[0] == "python":
        argv[0] = sys.executable
    return argv


def session_pids(session: int) -> list[int]:
    """Every process of one session: a server started with start_new_session and its children."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended while we looked
            if int(fields[3]) == session:  # state, ppid, pgrp, session
                pids.append(int(entry.name))
    return pids


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if match := re.search(r"VmRSS:\s+(\d+) kB", status):
            total += int(match.group(1))
    return total


class Instance:
    """One instance as the Docker image runs it (its CMD: nginx in front of gunicorn)."""

    def __init__(
        self, workers: int = 2, port: int | None = None, wait: bool = True, stdout=None, **env: str
    ):
        self.stdout = stdout
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its run directory goes in here, removed by stop(): a killed instance leaves it.
        self.tmp = tempfile.mkdtemp(prefix="gradacc-test-")
        defaults = {"ACCESS_LOG": "off", "DJANGO_SECURE_SSL": "0", "HOST": "127.0.0.1"}
        self.env = production_env(
            **{**defaults, **env, "TMPDIR": self.tmp},
            PORT=str(self.port),
            WEB_CONCURRENCY=str(workers),
        )
        self.start(wait)

    def start(self, wait: bool = True) -> None:
        # Its own session, so that the whole instance (launcher, nginx, gunicorn and their
        # workers) can be found and killed at once, as when a container or machine is lost.
        self.process = subprocess.Popen(
            image_command(), cwd=ROOT, env=self.env, stdout=self.stdout, start_new_session=True
        )
        if wait:
            self.wait_until_up()

    def wait_until_up(self) -> None:
        try:
            wait_until_up(self.url + "/healthz", self.process)
        except BaseException:
            self.stop()  # no instance outlives a failed start
            raise

    def pids(self) -> list[int]:
        return session_pids(self.process.pid)

    def rss_kib(self) -> int:
        return rss_kib(self.pids())

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.pids():  # anything of it still left (a worker whose master was killed)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


FRONT_MAIN_CONF = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  include {tmp}/gradacc.conf;
}}
"""


class NginxFront(LocalServer):
    """Debian's nginx with deploy/nginx/gradacc.conf, the file deploy/compose.yaml runs: a
    cache and load balancer in front of instances. The main file around it only keeps
    nginx's own files in a temporary directory (the nginx image has its own)."""

    def __init__(self, upstreams: list[str], tmp: Path):
        super().__init__()
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.access_log = tmp / "access.log"
        servers = " ".join(
            f"server {addr} max_fails=1 fail_timeout=2s; server {addr} backup max_fails=0;"
            for addr in upstreams
        )
        site = render(
            (ROOT / "deploy" / "nginx" / "gradacc.conf").read_text(),
            {
                "GRADACC_UPSTREAM_SERVERS": servers,
                "GRADACC_LISTEN": f"127.0.0.1:{self.port}",
                "GRADACC_CACHE_DIR": str(tmp / "cache"),
                "GRADACC_ACCESS_LOG": str(self.access_log),
            },
        )
        (tmp / "gradacc.conf").write_text(site)
        conf = tmp / "nginx.conf"
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(FRONT_MAIN_CONF.format(user=user, tmp=tmp))
        self.started(subprocess.Popen([binary, "-c", str(conf), "-p", str(tmp), "-e", "stderr"]))


class WrkRun:
    """One bounded wrk run on loopback (wrk stops itself after `seconds`), read back as numbers:
    answers by status, socket errors (connect, read, write, timeout) and latency in seconds."""

    def __init__(self, url: str, connections: int, seconds: int, timeout_s: int = 3):
        args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s"]
        args += ["-s", str(ROOT / "tests" / "wrk_statuses.lua"), url]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        self.limit_s = seconds + timeout_s + 10

    def running(self) -> bool:
        return self.process.poll() is None

    def result(self) -> "WrkRun":
        out, _ = self.process.communicate(timeout=self.limit_s)
        self.output = out
        self.statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
        errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        self.socket_errors = sum(map(int, errors.groups())) if errors else 0
        self.latency_s = {
            p: int(re.search(rf"^latency_{p}_us (\d+)$", out, re.M).group(1)) / 1e6
            for p in ("p50", "p99", "max")
        }
        return self
