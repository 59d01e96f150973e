"""The Postman collection (postman/), run by newman against the stack of this folder.

It runs twice against the same stack: every run registers its own people, so the story
must pass on a stack it has already been through. The report must show no failure, every
request of the collection run with at least one check, and no fewer checks than a floor
(an emptied or cut-down collection fails).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from build_postman import CLIENT_ID, COLLECTION, environment, expected_files, render

ROOT = Path(__file__).resolve().parents[2]
NEWMAN = ROOT / "postman" / "node_modules" / ".bin" / "newman"
# A run sends 68 requests (62 in the collection, one of them once per weekday) and makes
# 160 checks; these floors sit a little under.
MIN_REQUESTS = 60
MIN_ASSERTIONS = 140


@pytest.fixture(scope="module")
def environment_file(stack, tmp_path_factory) -> Path:
    """The environment of the started stack: its URLs, the demo staff, a service account."""
    urls = {service: stack.url(service) for service in stack.ports}
    secret = stack.secrets()[f"{CLIENT_ID}_client_secret"]
    path = tmp_path_factory.mktemp("postman") / "stack.postman_environment.json"
    path.write_text(render(environment("api tests", urls, client_secret=secret)))
    return path


def run_newman(environment_path: Path, report_path: Path) -> subprocess.CompletedProcess:
    if not NEWMAN.exists():
        pytest.fail("newman is not installed: run `make newman`")
    return subprocess.run(
        [
            str(NEWMAN),
            "run",
            str(COLLECTION),
            "--environment",
            str(environment_path),
            "--reporters",
            "cli,json",
            "--reporter-json-export",
            str(report_path),
            "--color",
            "off",
            "--timeout-request",
            "20000",
        ],
        cwd=ROOT / "postman",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def request_names(items: list[dict]) -> set[str]:
    """The names of the collection's requests, in every folder."""
    names = set()
    for item in items:
        names |= request_names(item["item"]) if "item" in item else {item["name"]}
    return names


def check_report(report: dict) -> None:
    run = report["run"]
    assert run["failures"] == []
    for kind in ("requests", "testScripts", "prerequestScripts", "assertions"):
        assert run["stats"][kind]["failed"] == 0, kind
    assert run["stats"]["requests"]["total"] >= MIN_REQUESTS
    assert run["stats"]["assertions"]["total"] >= MIN_ASSERTIONS
    unchecked = [e["item"]["name"] for e in run["executions"] if not e.get("assertions")]
    assert unchecked == [], "requests that ran no check"
    ran = {execution["item"]["name"] for execution in run["executions"]}
    assert request_names(report["collection"]["item"]) - ran == set(), "requests that never ran"


def failures(report_path: Path) -> list[str]:
    """What failed, from the report (where and why), for the message of a failed run."""
    if not report_path.exists():
        return []
    run = json.loads(report_path.read_text())["run"]
    return [f"{f['source']['name']}: {f['error']['message']}" for f in run["failures"]]


def test_the_story_passes_twice_on_one_stack(environment_file, tmp_path):
    for attempt in (1, 2):
        report_path = tmp_path / f"newman-{attempt}.json"
        result = run_newman(environment_file, report_path)
        assert result.returncode == 0, (
            f"run {attempt}: {failures(report_path)}\n{result.stdout[-3000:]}{result.stderr}"
        )
        check_report(json.loads(report_path.read_text()))


def test_the_committed_files_are_what_the_generator_writes():
    stale = [path.name for path, text in expected_files().items() if path.read_text() != text]
    assert stale == [], "run `make postman`"


def test_every_request_of_the_collection_checks_its_status_and_body():
    collection = json.loads(COLLECTION.read_text())

    def requests(items):
        for item in items:
            yield from requests(item["item"]) if "item" in item else [item]

    items = list(requests(collection["item"]))
    # Unique names: a run is checked by name, and a request may name itself as the next.
    assert len({item["name"] for item in items}) == len(items)
    for item in items:
        script = "\n".join(
            line
            for event in item["event"]
            if event["listen"] == "test"
            for line in event["script"]["exec"]
        )
        assert "pm.response.to.have.status(" in script, item["name"]
        assert script.count("pm.test(") >= 2, item["name"]
