"""axe-core in the page: every browser test calls assert_accessible(page) on
each page it visits, and fails on serious or critical WCAG 2.2 AA violations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# The npm devDependency, injected as a script so no network is needed.
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; return serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            reasons = [
                line.strip()
                for line in node.get("failureSummary", "").splitlines()
                if line.strip() and not line.startswith("Fix ")
            ]
            lines.append(f"    {json.dumps(node['target'])} {node['html'][:120]}")
            lines.append(f"      {'; '.join(reasons)[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail the test when axe-core finds serious or critical WCAG 2.2 AA violations."""
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)
