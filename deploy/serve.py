"""The Docker image's command: nginx in front of gunicorn's sync workers, in one container.

gunicorn's sync workers give Django's sync views their best throughput, but each one is held
by a client for as long as it takes to send its request: six connections that never finish
their headers stop two workers (gunicorn's own documentation says sync workers belong behind
a buffering proxy). So the image brings that proxy with it. nginx takes every connection,
reads the whole request (headers, and the body to memory or a temporary file) under the
timeouts in deploy/nginx/instance.conf, and only then hands it to gunicorn over a unix socket,
which nothing outside the container can reach. nginx also sends back the answer to a slow
reader, and answers 503 at once when more requests are already waiting for gunicorn than it
can clear in a moment (load shedding), instead of letting a queue grow without bound.

Environment (besides Django's own, see the README):
  HOST, PORT          where nginx listens (0.0.0.0, 8000)
  WEB_CONCURRENCY     gunicorn workers (2)
  QUEUE_PER_WORKER    requests nginx lets be with each worker, running or waiting, before it
                      answers 503 (8)
  QUEUE_TIMEOUT       seconds a request may wait for a worker before gunicorn answers 503
                      instead of computing it (0.5; gunicorn.conf.py)
  FORWARDED_ALLOW_IPS peers whose X-Forwarded-Proto is passed on (127.0.0.1; "*" for all)
  ACCESS_LOG          nginx's access log: "stdout" (the default), a file, or "off"

It exits when either process exits, so an orchestrator restarts the whole container, and on
SIGTERM or SIGINT stops both gracefully: nginx finishes what it is sending, gunicorn what it
is computing.
"""

import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
INSTANCE_CONF = DEPLOY / "nginx" / "instance.conf"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(template: str, values: dict[str, str]) -> str:
    """Fill ${NAME} placeholders like envsubst does, leaving nginx's own $variables alone.

    Every placeholder must be given a value: a config with a hole left in it never starts."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for ${{{name}}}")
        return str(values[name])

    return PLACEHOLDER.sub(fill, template)


def trusted_proxies(allow: str) -> str:
    """gunicorn's FORWARDED_ALLOW_IPS as the entries of an nginx `geo` block."""
    entries = [item.strip() for item in allow.split(",") if item.strip()]
    if "*" in entries:
        return "default 1;"
    return " ".join(["default 0;", *(f"{entry} 1;" for entry in entries)])


def instance_values(run_dir: Path, env: dict[str, str], access_log: str) -> dict[str, str]:
    workers = int(env.get("WEB_CONCURRENCY", "2"))
    queue = int(env.get("QUEUE_PER_WORKER", "8"))
    host = env.get("HOST", "0.0.0.0")
    # A root master would hand its workers to "nobody", who cannot open the run directory.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return {
        "USER_DIRECTIVE": user,
        "RUN_DIR": str(run_dir),
        "LISTEN": f"{host}:{env.get('PORT', '8000')}",
        "UPSTREAM_MAX_CONNS": str(workers * queue),
        "TRUSTED_PROXIES": trusted_proxies(env.get("FORWARDED_ALLOW_IPS", "127.0.0.1")),
        "ACCESS_LOG": access_log if access_log == "off" else f"{access_log} gradacc",
    }


def stdout_pipe() -> tuple[str, int]:
    """A path nginx can open for its access log that leads to this process's stdout.

    nginx opens its logs by name, and a container's stdout is a pipe owned by root: reopened
    by name (/dev/stdout) from a non-root process it is "Permission denied". So nginx gets a
    pipe of our own, by name (/dev/fd/N, inherited), and a thread copies it to our stdout."""
    read_end, write_end = os.pipe()

    def copy():
        with open(read_end, "rb", buffering=0) as source:
            for line in source:
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()

    threading.Thread(target=copy, daemon=True).start()
    return f"/dev/fd/{write_end}", write_end


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.path = str(path)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def wait_until_answering(path: Path, process: subprocess.Popen, seconds: float = 120) -> None:
    """Until a gunicorn worker answers on the socket (any answer will do: it may redirect to
    HTTPS). Requests that nginx passed on before then would wait for the workers to boot."""
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode} before it answered")
        if path.exists():
            connection = UnixHTTPConnection(path, timeout=5)
            try:
                connection.request("GET", "/healthz", headers={"Host": host})
                connection.getresponse().read()
                return
            except OSError:
                pass
            finally:
                connection.close()
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer on {path} within {seconds:g} s")


def main() -> int:
    run_dir = Path(tempfile.mkdtemp(prefix="gradacc-"))
    socket_path = run_dir / "gunicorn.sock"
    access_log, inherited = os.environ.get("ACCESS_LOG", "stdout").strip() or "off", ()
    if access_log in ("stdout", "/dev/stdout"):
        access_log, write_end = stdout_pipe()
        inherited = (write_end,)
    conf = run_dir / "nginx.conf"
    values = instance_values(run_dir, dict(os.environ), access_log)
    conf.write_text(render(INSTANCE_CONF.read_text(), values))
    children: list[subprocess.Popen] = []
    signalled = False

    def stop_children():
        # Each one's graceful stop: gunicorn on SIGTERM, nginx on SIGQUIT.
        for child, graceful in zip(children, (signal.SIGTERM, signal.SIGQUIT), strict=False):
            if child.returncode is None:
                child.send_signal(graceful)

    def on_signal(signum, frame):
        nonlocal signalled
        signalled = True
        stop_children()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        gunicorn_env = {
            **os.environ,
            "GUNICORN_BIND": f"unix:{socket_path}",
            # nginx logs every request, with its real client and the 503s gunicorn never sees.
            "GUNICORN_ACCESS_LOG": "",
        }
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "gradacc_site.wsgi"], cwd=ROOT, env=gunicorn_env
            )
        )
        wait_until_answering(socket_path, children[0])
        if not signalled:
            nginx = [nginx_binary(), "-p", str(run_dir), "-c", str(conf), "-e", "stderr"]
            children.append(subprocess.Popen(nginx, pass_fds=inherited))
            for fd in inherited:
                os.close(fd)  # nginx holds it now: the copy ends when nginx does
        # Whichever ends first ends the instance: half a server is no server.
        first = None
        while first is None:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            for child in children:
                if child.pid == pid:
                    child.returncode = os.waitstatus_to_exitcode(status)
                    first = child
        stop_children()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        code = first.returncode if first is not None else 0
        return 0 if signalled else (code or 1)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
