"""Fixtures of the manifest tests: both overlays, rendered once per run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from manifests import load, render_all  # noqa: E402


@pytest.fixture(scope="session")
def rendered() -> dict[str, str]:
    """Each overlay's rendered text, by name (dev, prod)."""
    return render_all()


@pytest.fixture(params=["dev", "prod"])
def overlay(request, rendered):
    """(name, objects) of one overlay: a fresh list each test, free to change."""
    return request.param, load(rendered[request.param])
