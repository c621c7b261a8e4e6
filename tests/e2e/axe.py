"""Accessibility checks with axe-core (npm, pinned in package.json) injected into the page by Playwright."""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Run axe on the current page (WCAG 2.x A/AA rules) and return its serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text())
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    details = "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])} élément(s) : "
        + ", ".join(str(node.get("target")) + " " + (node.get("failureSummary") or "")[:160] for node in v["nodes"][:3])
        for v in violations
    )
    assert not violations, f"{page.url}: {details}"
