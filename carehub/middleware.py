"""Refuse a request body that is too large before anything reads it.

Django refuses a form body over DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.POST` or
`request.body` is read, and then with a bare "Bad Request (400)" page, also for a JSON API
client; DRF reads a JSON body the same way. Here the declared length is compared first:
413 with a sentence saying the limit (JSON under /api/ and the Open Referral UK feed, plain
text elsewhere). Multipart bodies are left alone: Django streams their files to disk, still
counts their other fields against the limit, and each upload form says how large its file may
be (evidence: 10 MB; a register file in the admin: a whole register). A body without a
declared length (chunked) is left to Django's own limits.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIXES = ("/api/", "/o/")
# A body up to this many times the limit is read and dropped before answering: a client that is
# still sending when the server closes the connection gets a reset, never the answer. Beyond it
# the connection is closed unread (a reset for the client, but no server time spent on it).
DRAIN_FACTOR = 4


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats a malformed length as none
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit and request.content_type != "multipart/form-data":
            return self._too_large(request, limit, length)
        return self.get_response(request)

    def _too_large(self, request: HttpRequest, limit: int, length: int) -> HttpResponse:
        message = f"The request is too large: at most {_megabytes(limit)} may be sent."
        if request.path.startswith(API_PREFIXES):
            response: HttpResponse = JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
        else:
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        if length <= DRAIN_FACTOR * limit:
            while request.read(64 * 1024):
                pass
        else:
            response["Connection"] = "close"
        return response
