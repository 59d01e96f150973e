"""Read a service's Dockerfile (<service>/Dockerfile) as instructions, for test_registry.py.

Enough of the Dockerfile syntax for this project's files: comment lines (also inside a
continued instruction) are dropped and continued lines joined; ENV and ARG values are
split as the shell would.
"""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_path(service: str) -> Path:
    return ROOT / service / "Dockerfile"


def instructions(service: str) -> list[tuple[str, str]]:
    """Each instruction of the service's Dockerfile as (KEYWORD, arguments), in order."""
    result: list[tuple[str, str]] = []
    pending: list[str] = []
    for line in dockerfile_path(service).read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        pending.append(stripped.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            keyword, _, arguments = " ".join(pending).partition(" ")
            result.append((keyword.upper(), arguments.strip()))
            pending = []
    assert not pending, f"{service}/Dockerfile ends inside an instruction"
    return result


def stages(service: str) -> dict[str, list[tuple[str, str]]]:
    """The instructions of each stage, by the stage's name (FROM ... AS name), FROM first."""
    result: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for keyword, arguments in instructions(service):
        if keyword == "FROM":
            current = result.setdefault(arguments.split()[-1], [])
        current.append((keyword, arguments))
    return result


def _assignments(arguments: str) -> dict[str, str]:
    pairs = (word.partition("=") for word in shlex.split(arguments))
    return {name: value for name, _, value in pairs}


def runtime_env(service: str) -> dict[str, str]:
    """The environment the image sets for its containers (ENV of its last stage)."""
    last = list(stages(service).values())[-1]
    env: dict[str, str] = {}
    for keyword, arguments in last:
        if keyword == "ENV":
            env.update(_assignments(arguments))
    return env


def arg_defaults(service: str) -> dict[str, str]:
    """The default of each build argument (ARG name=default) of the Dockerfile."""
    defaults: dict[str, str] = {}
    for keyword, arguments in instructions(service):
        if keyword == "ARG":
            defaults.update(_assignments(arguments))
    return defaults


def labels(service: str) -> dict[str, str]:
    """The image's labels (LABEL key=value ...), as written (${VERSION} not expanded)."""
    result: dict[str, str] = {}
    for keyword, arguments in instructions(service):
        if keyword == "LABEL":
            result.update(_assignments(arguments))
    return result
