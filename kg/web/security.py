"""Response headers that keep browsers from misusing what the server sends.

One ``after_request`` hook for the whole app. Headers a route set itself win (an
HTML page sends its own Content-Security-Policy); everything else that is not a page
gets a policy that forbids it all, so a query result opened in a browser can neither
run script nor be framed.
"""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
PAGE_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


@lru_cache(maxsize=64)
def headers_for(mimetype: str) -> tuple[tuple[str, str], ...]:
    """What :func:`secure` adds to a response of this media type that set none of it."""
    page = mimetype in ("text/html", "application/xhtml+xml")
    return (*HEADERS.items(), ("Content-Security-Policy", PAGE_CSP if page else NOT_A_PAGE_CSP))


def secure(response: Response) -> Response:
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(k, v) for k, v in headers_for(response.mimetype) if k.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure)
