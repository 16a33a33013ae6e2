"""Small pieces every endpoint route shares: error bodies, Accept, the write token, CORS."""
from __future__ import annotations

import hmac

from flask import Response, current_app, request

#: reads may come from any web page: the data is public and no credentials are involved
READ_CORS = {"Access-Control-Allow-Origin": "*"}


class Problem(Exception):
    """A request this server will not answer as asked; its status and reason go to the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def problem_answer(err: Problem) -> Response:
    """The error handler each blueprint registers for :class:`Problem`."""
    return plain(err.status, str(err))


def too_large_answer(err) -> Response:
    """The error handler for a body over ``max_content_length`` (plain text, with the limit)."""
    return plain(413, f"the request body is larger than this endpoint accepts ({request.max_content_length} bytes)")


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A short text/plain answer, for errors and refusals (never a traceback)."""
    return Response(message.rstrip("\n") + "\n", status, content_type="text/plain; charset=utf-8",
                    headers={**READ_CORS, **(headers or {})})


def accept() -> str | None:
    """The request's ``Accept`` header, or None when it sent none (so the default format applies)."""
    return request.environ.get("HTTP_ACCEPT")


def write_refusal() -> Response | None:
    """None if the request may write; else the answer that says why not.

    Writes need ``Authorization: Bearer <write_token>``; without a configured token
    the endpoint is read-only. An authorised request may send the larger body that
    ``max_upload_bytes`` allows (it is read after this check).
    """
    token = current_app.extensions["kg.settings"].write_token
    if not token:
        return plain(403, "this endpoint is read-only (the server has no write token configured)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return plain(401, "writing needs the header 'Authorization: Bearer <token>' with the server's write token",
                     {"WWW-Authenticate": 'Bearer realm="newskg"'})
    request.max_content_length = current_app.extensions["kg.settings"].max_upload_bytes
    return None


def preflight(methods: str) -> Response:
    """The answer to a CORS preflight: reads only, so no Authorization header is allowed."""
    return Response(status=204, headers={**READ_CORS, "Access-Control-Allow-Methods": methods,
                                         "Access-Control-Allow-Headers": "Accept, Content-Type",
                                         "Access-Control-Max-Age": "86400"})
