# Production image: gunicorn serving the stateless site. Same install and collectstatic
# commands as the Makefile, so CI exercises them.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_DEBUG=0 \
    WEB_CONCURRENCY=2 \
    PORT=8000

WORKDIR /app
COPY requirements.txt .
RUN python -m pip install --no-cache-dir --disable-pip-version-check -r requirements.txt

COPY . .
RUN python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --no-create-home --uid 10001 gradacc
USER gradacc

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

# gunicorn.conf.py reads PORT and WEB_CONCURRENCY (worker count); `make bench` uses it too.
CMD ["gunicorn", "gradacc_site.wsgi"]
