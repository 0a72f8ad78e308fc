"""The one place that fetches another directory's ORUK feed over HTTP: a thin adapter,
replaced by a fake in tests (no test may reach the internet)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from carehub.errors import DomainError

TIMEOUT_SECONDS = 30
MAX_BYTES = 50 * 1024 * 1024


class FetchFailed(DomainError):
    code = "fetch_failed"


def fetch_json(url: str) -> Any:
    """GET a URL and parse its JSON; raises FetchFailed with a message a person can act on."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchFailed(f"Only http and https URLs can be fetched, not {url}")
    # The scheme is checked above: no file:// or other handlers are reachable.
    headers = {"Accept": "application/json", "User-Agent": "CareHub ORUK import"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
            body = response.read(MAX_BYTES + 1)
    except OSError as exc:  # URLError, HTTPError and timeouts are all OSErrors
        raise FetchFailed(f"Could not fetch {url}: {exc}") from exc
    if len(body) > MAX_BYTES:
        raise FetchFailed(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FetchFailed(f"{url} did not answer with JSON: {exc}") from exc
