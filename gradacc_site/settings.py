"""One settings file, driven by environment variables (see README, "Deployment")."""

import os
from pathlib import Path

from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip() == "1"


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")
# No sessions, no signed cookies, no password hashing: the key protects nothing today, but
# production still sets its own so that a future feature cannot silently use this one.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-key-not-for-production-5f1c9b7e2d")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    # The order tools are registered in is the order of the home page and the nav.
    "calculators",
    "training_plan",
    "lr_scaling",
    "activation_memory",
    "gpu_fit",
    "eval_metrics",
    # After the tools: it draws whatever they registered.
    "share_images",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside every middleware that can answer on its own (ReadOnlySiteMiddleware's 405s,
    # static files), so every response carries the same Content-Security-Policy.
    "csp.middleware.CSPMiddleware",
    "calculators.kit.middleware.ReadOnlySiteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed too: no response holds a secret or cookie for BREACH to find.
    "calculators.kit.middleware.QuickGZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Installed, though idle today: ReadOnlySiteMiddleware refuses every method but GET and
    # HEAD before it, except POST to a calculator that takes data too large for a URL, which
    # is csrf_exempt (it changes nothing; calculators/kit/views.py says why). It sets no
    # cookie because no template asks for a token. It is here so that any other future POST
    # is protected by default (and `check --deploy` stays clean).
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gradacc_site.urls"
WSGI_APPLICATION = "gradacc_site.wsgi.application"

# One template language for every page, result and fragment: Jinja2, through Django's own
# backend with one addition, rendering a block alone (calculators/kit/jinja.py).
TEMPLATES = [
    {
        "BACKEND": "calculators.kit.jinja.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "calculators.kit.jinja.environment"},
    },
]

# The product stores nothing. pytest-django's live_server flushes a database, so one is named.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. No response sets a cookie: there is no session middleware, and the CSRF
# middleware above sets its cookie only when a template asks for a token, which none does
# (tests/site/test_pages.py checks both over every path).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if env_flag("DJANGO_SECURE_SSL"):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Only behind a proxy that overwrites this header (see README).
    if env_flag("DJANGO_TRUST_X_FORWARDED_PROTO"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# POSTed data (too large for a URL): read in memory, never written to disk. One cap for a
# whole request body, form fields and an uploaded file alike, stated on the metric pages and
# kept equal by the proxies (deploy/nginx/*.conf, client_max_body_size) and by the CSV
# reader's own cap (eval_metrics/uploads.py); tests/deploy/test_limits.py checks all four.
# 10 MiB holds 100,000 rows of three full-precision numbers, or two pasted lists of 100,000
# values as a browser encodes them (about 24 bytes each with their %0D%0A).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
# Only the in-memory handler: an upload never becomes a temporary file. Over the cap it would
# be dropped silently, so the view refuses such a body first, by its declared length.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# How long shared caches and browsers may keep a calculator response (Vary: HX-Request keeps
# pages and fragments apart). Results depend only on the URL, so this is safe.
CALCULATOR_MAX_AGE = int(os.environ.get("DJANGO_CACHE_MAX_AGE", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
