"""HTTP for the drills: a signed-in client (session cookie + CSRF token, as a browser
has), bursts of parallel requests released together, and percentiles.

Each request opens its own connection (http.client), so threads share nothing but
the cookies, which are fixed after sign-in.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int  # 0: no answer (refused, reset, timed out)
    body: bytes
    seconds: float
    headers: dict[str, str]

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Client:
    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.cookies: dict[str, str] = {}

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        all_headers = {"Host": f"{self.host}:{self.port}", "Accept": "application/json, text/html"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD") and self.csrf:
            all_headers["X-CSRFToken"] = self.csrf
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        started = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                reply_headers.setdefault("set-cookie:" + name, rest.split(";", 1)[0])
            return Reply(response.status, data, time.monotonic() - started, reply_headers)
        except (OSError, http.client.HTTPException):
            return Reply(0, b"", time.monotonic() - started, {})
        finally:
            conn.close()

    def _keep_cookies(self, reply: Reply) -> None:
        for key, value in reply.headers.items():
            if key.startswith("set-cookie:"):
                self.cookies[key.split(":", 1)[1]] = value

    def login(self, email: str, password: str) -> Reply:
        page = self.request("GET", "/accounts/sign-in/")
        self._keep_cookies(page)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        token = match.group(1).decode() if match else self.csrf
        reply = self.request(
            "POST",
            "/accounts/sign-in/",
            form={"username": email, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"http://{self.host}:{self.port}/accounts/sign-in/"},
        )
        self._keep_cookies(reply)
        return reply

    @property
    def signed_in(self) -> bool:
        return "sessionid" in self.cookies


def burst(calls: Sequence[Callable[[], Reply]]) -> list[Reply]:
    """Run every call in its own thread, all released at the same moment."""
    size = len(calls)
    gate = threading.Barrier(size)

    def run(call: Callable[[], Reply]) -> Reply:
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=size) as pool:
        return list(pool.map(run, calls))


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
