"""The Open Referral UK 3.0 standard's own files (schemas, OpenAPI, examples), read from
the copy beside the project (``../shared/standards/oruk-uk-profile-3.0``, CC BY-SA 4.0)
or from ``ORUK_STANDARD_DIR``.

The standard's OpenAPI points at its schemas by their GitHub URLs; `openapi_self_contained`
returns the same document with every such schema copied under ``components/schemas`` (so a
tool can check the API without fetching anything) and one slip repaired (see below).
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

REMOTE_PREFIX = "https://raw.githubusercontent.com/openreferral/uk-profile/main/"
ROOT = Path(__file__).resolve().parents[2]


def standard_dir() -> Path:
    configured = os.environ.get("ORUK_STANDARD_DIR")
    return Path(configured) if configured else ROOT.parent / "shared" / "standards" / "oruk-uk-profile-3.0"


def load(relative: str) -> Any:
    """A JSON file of the standard, by its path inside the standard (``schema/compiled/service.json``)."""
    return json.loads((standard_dir() / relative).read_text(encoding="utf-8"))


def _component_name(relative: str) -> str:
    return relative.removesuffix(".json").replace("/", "_")


def openapi_self_contained(examples: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """docs/extras/openapi30.json with its remote schemas inlined as components.

    ``examples`` maps a path template (``/services/{id}``) to ids that exist, added as
    examples of its ``id`` parameter so a tester also requests real records."""
    spec = load("docs/extras/openapi30.json")
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})

    def inline(relative: str) -> str:
        name = _component_name(relative)
        if name not in schemas:
            schemas[name] = {}  # placeholder first: schemas may refer to each other
            schema = load(relative)
            folder = relative.rsplit("/", 1)[0]
            schemas[name] = rewrite(schema, folder)
        return f"#/components/schemas/{name}"

    def rewrite(node: Any, folder: str) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                    relative = value.removeprefix(REMOTE_PREFIX) if value.startswith("http") else f"{folder}/{value}"
                    out[key] = inline(relative)
                else:
                    out[key] = rewrite(value, folder)
            return out
        if isinstance(node, list):
            return [rewrite(item, folder) for item in node]
        return node

    spec["paths"] = rewrite(copy.deepcopy(spec["paths"]), "schema")
    for parameter in spec["components"].get("parameters", {}).values():
        # A slip in the standard: start_time and end_time say "type": "time", which is no
        # OpenAPI type (tools refuse the operation); a time is a string of format "time".
        if parameter.get("schema", {}).get("type") == "time":
            parameter["schema"] = {"type": "string", "format": "time"}
    for template, ids in (examples or {}).items():
        for parameter in spec["paths"].get(template, {}).get("parameters", []):
            if parameter.get("name") == "id" and ids:
                parameter["examples"] = {f"record_{n}": {"value": value} for n, value in enumerate(ids, start=1)}
    return spec
