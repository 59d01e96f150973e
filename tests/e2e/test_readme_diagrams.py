"""The README's Mermaid diagrams render: each is drawn by mermaid (pinned in package.json) in Chromium.

GitHub draws them with the same library; a diagram with a syntax error would show
as an error box there, and fails here.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, SCREENSHOTS

MERMAID_JS = ROOT / "tests" / "e2e" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
BLOCK = re.compile(r"^```mermaid\n(.*?)^```", re.MULTILINE | re.DOTALL)
DIAGRAMS = BLOCK.findall((ROOT / "README.md").read_text())


def test_the_readme_has_its_diagrams():
    # The services and stores, the token flows and the booking saga.
    assert len(DIAGRAMS) >= 3
    assert DIAGRAMS[0].startswith("flowchart")
    assert sum(d.startswith("sequenceDiagram") for d in DIAGRAMS) >= 2


@pytest.mark.parametrize("index", range(len(DIAGRAMS)))
def test_diagram_renders(contexts, index):
    page = contexts()
    page.set_content("<!doctype html><html><body><div id='out'></div></body></html>")
    page.add_script_tag(path=str(MERMAID_JS))
    result = page.evaluate(
        """async (code) => {
            mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
            try {
                const {svg} = await mermaid.render("diagram", code);
                document.getElementById("out").innerHTML = svg;
                return {ok: true, nodes: document.querySelectorAll("#out svg g").length};
            } catch (error) {
                return {ok: false, error: String(error && error.message || error)};
            }
        }""",
        DIAGRAMS[index],
    )
    assert result["ok"], result.get("error")
    assert result["nodes"] > 5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#out svg").screenshot(path=str(SCREENSHOTS / f"readme-diagram-{index}.png"))
