"""Response headers that keep browsers from misusing what the server sends.

One ``after_request`` hook for the whole app. Headers a route set itself win (an
HTML page sends its own Content-Security-Policy); everything else that is not a page
gets a policy that forbids it all, so a query result opened in a browser can neither
run script nor be framed.
"""
from __future__ import annotations

from flask import Flask, Response

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
NOT_A_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
PAGE_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"


def secure(response: Response) -> Response:
    present = {name.lower() for name, _ in response.headers}
    page = response.mimetype in ("text/html", "application/xhtml+xml")
    csp = {"Content-Security-Policy": PAGE_CSP if page else NOT_A_PAGE_CSP}
    response.headers.extend([(k, v) for k, v in {**HEADERS, **csp}.items() if k.lower() not in present])
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure)
