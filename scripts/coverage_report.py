"""Write the coverage reports of the last `make test-unit` run.

Each package (common and every service) keeps its coverage data in its own folder
(``<package>/.coverage``, measured with its own pyproject.toml settings). This writes,
into the output folder:

- ``<package>.txt``: the package's text report (the files below 100% and their lines);
- ``summary.txt``: one line per package and the combined total;
- ``html/<package>/``: the HTML report of each package (git-ignored).

With ``--readme`` it also rewrites the summary table in README.md, between the
``coverage:start`` and ``coverage:end`` comments.

    python scripts/coverage_report.py [--out coverage_reports] [--readme]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from registry import SERVICES  # noqa: E402

README = ROOT / "README.md"
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


@dataclass(frozen=True)
class Totals:
    package: str
    statements: int
    missed: int

    @property
    def covered(self) -> int:
        return self.statements - self.missed

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.statements if self.statements else 100.0


def packages() -> list[str]:
    """common, then the services of this checkout in start order."""
    return ["common", *(s.name for s in SERVICES if (ROOT / s.name / "manage.py").exists())]


@contextlib.contextmanager
def inside(folder: Path):
    """Coverage reads relative paths and settings from the package's own folder."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def report(package: str, out: Path) -> Totals:
    """Write one package's text and HTML reports; return its totals."""
    folder = ROOT / package
    data_file = folder / ".coverage"
    if not data_file.exists():
        raise SystemExit(f"{data_file} is missing: run `make test-unit` first")
    with inside(folder):
        cov = coverage.Coverage(data_file=str(data_file), config_file="pyproject.toml")
        cov.load()
        text = io.StringIO()
        cov.report(file=text)
        cov.html_report(directory=str(out / "html" / package), title=f"{package} coverage")
        with tempfile.TemporaryDirectory() as tmp:
            cov.json_report(outfile=f"{tmp}/coverage.json")
            totals = json.loads(Path(f"{tmp}/coverage.json").read_text())["totals"]
    (out / f"{package}.txt").write_text(f"{package}\n\n{text.getvalue()}")
    return Totals(package, totals["num_statements"], totals["missing_lines"])


def combined(rows: list[Totals]) -> Totals:
    return Totals("all packages", sum(r.statements for r in rows), sum(r.missed for r in rows))


def summary_text(rows: list[Totals]) -> str:
    lines = [f"{'Package':<22}{'Statements':>11}{'Missed':>8}{'Coverage':>10}"]
    lines += [
        f"{r.package:<22}{r.statements:>11}{r.missed:>8}{r.percent:>9.1f}%"
        for r in [*rows, combined(rows)]
    ]
    return "\n".join(lines) + "\n"


def summary_markdown(rows: list[Totals]) -> str:
    lines = ["| Package | Statements | Missed | Coverage |", "|---|---:|---:|---:|"]
    lines += [f"| `{r.package}` | {r.statements} | {r.missed} | {r.percent:.1f}% |" for r in rows]
    total = combined(rows)
    lines.append(
        f"| **{total.package}** | **{total.statements}** | **{total.missed}** "
        f"| **{total.percent:.1f}%** |"
    )
    return "\n".join(lines)


def rewrite_readme(table: str, readme: Path = README) -> None:
    text = readme.read_text()
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{readme.name} has no {START} ... {END} block")
    readme.write_text(f"{head}{START}\n{table}\n{END}{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "coverage_reports")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's table")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows = [report(package, out) for package in packages()]
    (out / "summary.txt").write_text(summary_text(rows))
    if args.readme:
        rewrite_readme(summary_markdown(rows))
    print(summary_text(rows), end="")
    print(f"Reports in {out} (HTML in {out / 'html'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
