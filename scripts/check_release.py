"""Release hygiene: the version is the same everywhere and every make target is in `make help`.

VERSION holds the project's version; every package's pyproject.toml carries it and
CHANGELOG.md has an entry for it. Every target named in the Makefile's .PHONY line
has a one-line `## description`, which is what `make help` prints.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def problems(root: Path = ROOT) -> list[str]:
    version = (root / "VERSION").read_text().strip()
    found = []
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        found.append(f"VERSION is {version!r}, not MAJOR.MINOR.PATCH")
    for pyproject in sorted(root.glob("*/pyproject.toml")):
        declared = tomllib.loads(pyproject.read_text())["project"]["version"]
        if declared != version:
            found.append(f"{pyproject.relative_to(root)} says {declared}, VERSION says {version}")
    if not re.search(
        rf"^## \[?{re.escape(version)}\]? - \d{{4}}-\d{{2}}-\d{{2}}$",
        (root / "CHANGELOG.md").read_text(),
        re.MULTILINE,
    ):
        found.append(f"CHANGELOG.md has no '## {version} - YYYY-MM-DD' entry")
    found += [f"make {name} has no '## description' for make help" for name in undocumented(root)]
    return found


def undocumented(root: Path = ROOT) -> list[str]:
    makefile = (root / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    names = phony.group(1).split() if phony else []
    described = set(re.findall(r"^([a-z0-9-]+):.*## \S", makefile, re.MULTILINE))
    return [name for name in names if name not in described]


def main() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        version = (ROOT / "VERSION").read_text().strip()
        print(f"version {version} everywhere, in CHANGELOG.md too; make help lists every target")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
