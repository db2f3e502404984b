# Production image: nginx in front of gunicorn's sync workers (deploy/serve.py says why), the
# stateless site behind them. Same install and collectstatic commands as the Makefile, so CI
# exercises them; the tests run this file's CMD (tests/servers.py reads it from here).
# Debian 12, as on the machines the tests run on: the same nginx (1.22) the tests start.

# The training planner's hot modules compiled with mypyc (deploy/compile_engine.py), in a stage of
# their own: the image gets the build, not the compiler.
FROM python:3.11-slim-bookworm AS engine
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The site's own requirements too: mypy reads the types of what the engine imports.
COPY requirements.txt requirements-build.txt ./
RUN python -m pip install --no-cache-dir --disable-pip-version-check \
    -r requirements.txt -r requirements-build.txt
COPY . .
RUN python deploy/compile_engine.py && test -f build/compiled/training_plan/engine/sources.json

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_DEBUG=0 \
    WEB_CONCURRENCY=2 \
    PORT=8000

# Debian's nginx package: its core modules (upstream, proxy, geo, map) are all this image uses.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN python -m pip install --no-cache-dir --disable-pip-version-check -r requirements.txt

COPY . .
# Used because it was built from these same sources (training_plan/engine/compiled.py).
COPY --from=engine /app/build/compiled build/compiled
RUN python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --no-create-home --uid 10001 gradacc
USER gradacc

EXPOSE 8000
# /healthz through nginx and a worker, asked for an allowed host name (deploy/healthcheck.py).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]

# nginx on PORT (all interfaces), gunicorn with WEB_CONCURRENCY workers on a private socket.
# deploy/serve.py lists the other variables; `make bench` and the tests run this same command.
CMD ["python", "deploy/serve.py"]
