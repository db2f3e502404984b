"""gunicorn settings shared by the Docker image, `make bench` and the load tests."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The site does no I/O while answering: sync workers, no threads, short keep-alive.
worker_class = "sync"
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The longest request line gunicorn accepts (its default is 4094): long pasted lists live in
# the URL. A proxy in front should allow the same (nginx: large_client_header_buffers 4 8k).
limit_request_line = 8190
# Trust X-Forwarded-* only from the proxy in front (whitenoise/Django read them).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
