"""The image's HEALTHCHECK: /healthz through the instance's nginx and a gunicorn worker.

Asked as production asks it: with a host name Django allows (the first of
DJANGO_ALLOWED_HOSTS; an address it does not allow is answered 400) and saying https, as the
proxy in front does (an HTTPS redirect would otherwise be all it gets). Exit status 0 when the
site answered "ok", or redirected to HTTPS where no proxy is trusted to say https.
"""

import http.client
import os
import sys


def main() -> int:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    connection = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), 3)
    try:
        connection.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read()
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if (response.status, body) == (200, b"ok") or response.status in (301, 308):
        return 0
    print(f"unhealthy: {response.status} {body[:200]!r}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
