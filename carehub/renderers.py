"""The API's JSON renderer (the first of REST_FRAMEWORK's DEFAULT_RENDERER_CLASSES). A module of its
own: DRF imports it while its views module loads, so it must not import that module itself."""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, its compact JSON written by orjson: the same JSON in a quarter of the time
    (a page of twenty search results, 12 kB: 117–120 µs → 27 µs, of a cache-miss search's few
    milliseconds; issue 13). What orjson would write otherwise than DRF's encoder (dates and times,
    dataclasses) or cannot write (decimals, lazy strings) goes through DRF's encoder; a value orjson
    refuses (a key that is not a string, an integer past 64 bits) and JSON that is not compact
    (indent=, the browsable API) or ASCII-only (UNICODE_JSON off) or lax (STRICT_JSON off) are DRF's
    own. Floats are written as by Python but for small exponents' leading zeros (1e-7, not 1e-07):
    the same numbers. A float that is not a number is written null where DRF's would fail the
    request (nothing CareHub answers holds one)."""

    OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    # What orjson passes through or cannot write, as DRF's encoder writes it.
    encode_default = staticmethod(renderers.JSONRenderer.encoder_class().default)

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        if self.ensure_ascii or not self.compact or not self.strict or self.get_indent(accepted_media_type, context):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self.encode_default, option=self.OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: escaped, so the JSON is also a JavaScript literal.
        if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out
