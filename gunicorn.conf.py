"""gunicorn settings shared by the Docker image, `make bench` and the integration tests.

Worker model: sync workers, behind the nginx that the image runs in front of them
(deploy/serve.py, deploy/nginx/instance.conf).

Every answer of the site is pure CPU work of a few milliseconds: no database, no I/O. A sync
worker spends all of its time on that work and nothing on scheduling, but it belongs to one
client from the first byte of a request to the last byte of the answer, so without a buffering
proxy six connections that never finish their headers hold two workers and the site stops
answering (tests/deploy/test_slow_clients.py keeps that as its control). The other ways
to serve Django's sync views, tried here with 200 connections trickling their headers or a
POST body (and read in gunicorn 27.0.1's source):
- gthread (4 threads): /healthz unanswered for 3 s, headers or body alike: a connection that
  has sent its first bytes holds a thread until its request is complete;
- gevent: /healthz still answered (a greenlet per connection, unfinished headers cut after
  `keepalive` seconds), but nothing times out a trickled body, and overload becomes a queue
  of up to worker_connections per worker with no 503;
- ASGI (gunicorn's asgi worker): no timeout at all for unfinished headers, no connection cap,
  and Django runs each sync view through a thread handoff.
nginx reads every request completely, under stated timeouts, before a worker sees it; it holds
thousands of waiting connections for a few kilobytes each; it answers 503 at once when enough
requests are already waiting, so the queue in front of the workers stays short. The cost is
one more hop on loopback, which `make bench` measures against gunicorn alone: none in
throughput (medians of six runs: full page 1.27x, fragment 1.29x, /healthz 2.63x, since
clients keep their connection to nginx while sync workers close every one), and the servers'
CPU per request 0.98x for the page, 0.97x for the fragment, 0.76x for /healthz; 15 MiB more
memory (README, "Performance").
"""

import gc
import io
import os
import time

bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
)
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request that takes longer than this has gone wrong: the worker is replaced. nginx waits
# for an answer just as long (proxy_read_timeout).
timeout = 30
# Answers take milliseconds: on SIGTERM a worker finishes its request well within this.
graceful_timeout = 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The longest request line gunicorn accepts (its default is 4094): pasted lists live in the
# URL, until the browser switches to POST short of this (static/js/post_switch.js). nginx in
# front allows the same (large_client_header_buffers 4 8k). gunicorn sets no limit on a body;
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE (10 MiB) and nginx's client_max_body_size do.
limit_request_line = 8190
# Trust X-Forwarded-* only from the proxy in front (whitenoise/Django read them).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's runtime control socket defaults to one path per user ($HOME/.gunicorn): several
# instances on one machine would take it from each other, and the image has no home. Unused.
control_socket_disable = True

# Load shedding, second half. nginx lets at most WEB_CONCURRENCY x QUEUE_PER_WORKER requests
# wait for the workers; when the machine is short of CPU even that short queue can take long
# to clear. A request that has waited longer than this since nginx read it is answered 503 at
# once instead of being computed for a client that is likely gone: under overload no answer
# is later than this plus one render.
QUEUE_TIMEOUT_S = float(os.environ.get("QUEUE_TIMEOUT", "0.5"))
BUSY = b"The server is busy. Try again in a second.\n"
BUSY_HEADERS = [
    ("Content-Type", "text/plain"),
    ("Content-Length", str(len(BUSY))),
    ("Retry-After", "1"),
    ("Cache-Control", "no-store"),
]


def waited_too_long(environ) -> bool:
    # Set by nginx (deploy/nginx/instance.conf) as "t=<seconds since the epoch>"; anything else
    # (gunicorn alone, a client's own header reaching gunicorn alone) is not a queue time.
    stamp = environ.get("HTTP_X_REQUEST_START", "")
    if not stamp.startswith("t="):
        return False
    try:
        return time.time() - float(stamp[2:]) > QUEUE_TIMEOUT_S
    except ValueError:
        return False


def post_worker_init(worker):
    app = worker.wsgi

    def behind_nginx(environ, start_response):
        if waited_too_long(environ):
            start_response("503 Service Unavailable", BUSY_HEADERS)
            return [BUSY]
        if "HTTP_X_REQUEST_START" in environ and environ.get("CONTENT_LENGTH"):
            # The whole body is read before Django answers. Django answers some POSTs without
            # reading it (405 on a GET-only path, say); gunicorn then reads at most 64 KiB
            # more before it closes, and a socket closed with data unread is reset, which cut
            # the answer short. Reading the rest after answering cannot work either: nginx
            # stops sending a body once the answer has begun, and both sides wait. Behind
            # nginx the body is already complete and capped at 10 MiB: this takes a
            # millisecond, and no client can make it slow.
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read())
        return app(environ, start_response)

    worker.wsgi = behind_nginx


# Workers start warm. Django is imported once, in the master, and every tool's page, fragment
# and JSON answer is computed there once before the workers are forked: they inherit compiled
# templates and imported modules (shared, copy-on-write) instead of each paying for them on
# its first requests, which took a second each on a busy machine and made them wait past
# QUEUE_TIMEOUT. deploy/serve.py opens the port only once a worker answers.
preload_app = True


def warm_up(app, log) -> None:
    from io import BytesIO
    from wsgiref.util import setup_testing_defaults

    from django.conf import settings

    from calculators.kit import registry

    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"]
    host = hosts[0] if hosts else "localhost"
    for path in ["/", *(tool.path for tool in registry.all_tools())]:
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}, {"QUERY_STRING": "format=json"}):
            # As it arrives behind TLS in production, so the HTTPS redirect lets it through.
            environ = {
                "PATH_INFO": path,
                "HTTP_HOST": host,
                "HTTP_X_FORWARDED_PROTO": "https",
                "wsgi.url_scheme": "https",
                "wsgi.input": BytesIO(),
                **extra,
            }
            setup_testing_defaults(environ)
            try:
                response = app(environ, lambda status, headers, exc_info=None: None)
                for _ in response:
                    pass
                response.close()
            except Exception:
                log.exception("warm-up request for %s failed", path)


def when_ready(server):
    warm_up(server.app.wsgi(), server.log)
    # What the master holds now (modules, compiled templates, catalogs, tables rendered once)
    # lives as long as the process: freezing it keeps the cyclic garbage collector from
    # walking it again in every worker (a full collection walked all of it, some 50 ms on this
    # machine) and keeps the pages it shares with the workers from being copied when the
    # collector writes its bookkeeping (the `gc.freeze` documentation's advice for a server
    # that forks workers).
    gc.collect()
    gc.freeze()
