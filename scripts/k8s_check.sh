#!/usr/bin/env bash
# Check deploy/k8s without a cluster: render both overlays as a fresh clone does (the
# secrets' *.sample templates in place of the git-ignored files), validate every object
# against the Kubernetes API schemas (strict), run checkov, then tests/k8s.
#
# kubectl and kubernetes-validate are pinned in requirements/dev.txt (.venv); checkov is
# pinned in requirements/checkov.txt and lives in its own virtualenv (.venv-checkov: its
# dependencies conflict with the project's pins). `make k8s-check` installs both.
# Exits non-zero when any check finds a problem or cannot run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV_BIN=${VENV_BIN:-.venv/bin}
CHECKOV=${CHECKOV:-.venv-checkov/bin/checkov}
# The oldest Kubernetes the manifests are written for (autoscaling/v2, policy/v1, batch/v1).
K8S_VERSION=${K8S_VERSION:-1.31.0}

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
ok() {
    echo "ok:   $*"
}

rendered=$(mktemp -d)
trap 'rm -rf "${rendered}"' EXIT

echo "== kubectl kustomize deploy/k8s/overlays/{dev,prod}"
if "${VENV_BIN}/python" tests/k8s/manifests.py "${rendered}"; then
    ok "both overlays render"
else
    fail "an overlay does not render"
    exit 1
fi

echo "== kubernetes-validate --strict, Kubernetes ${K8S_VERSION}"
if [ -x "${VENV_BIN}/kubernetes-validate" ]; then
    if "${VENV_BIN}/kubernetes-validate" --kubernetes-version "${K8S_VERSION}" --strict --quiet \
        "${rendered}/dev.yaml" "${rendered}/prod.yaml"; then
        ok "every object is valid against the ${K8S_VERSION} schemas, no unknown field"
    else
        fail "kubernetes-validate"
    fi
else
    fail "kubernetes-validate is not in ${VENV_BIN} (make install)"
fi

echo "== checkov"
if [ -x "${CHECKOV}" ]; then
    echo "   (checkov $("${CHECKOV}" --version))"
    # Every check runs; a skipped one names its reason in the object (checkov.io/skipN).
    # --skip-download: nothing fetched from the vendor (guidelines); the checks are local.
    if "${CHECKOV}" --framework kubernetes --compact --quiet --skip-download \
        -f "${rendered}/dev.yaml" -f "${rendered}/prod.yaml"; then
        ok "checkov found nothing"
    else
        fail "checkov"
    fi
else
    fail "checkov is not at ${CHECKOV} (make k8s-check installs it)"
fi

echo "== shellcheck deploy/k8s"
if [ -x "${VENV_BIN}/shellcheck" ]; then
    if "${VENV_BIN}/shellcheck" --severity=style deploy/k8s/overlays/*/*.sh; then
        ok "shellcheck found nothing"
    else
        fail "shellcheck"
    fi
else
    fail "shellcheck is not in ${VENV_BIN} (make install)"
fi

echo "== tests/k8s"
if "${VENV_BIN}/pytest" -q -p no:django -p no:cacheprovider tests/k8s; then
    ok "the manifests hold what the platform needs"
else
    fail "tests/k8s"
fi

echo
if [ "${failures}" -gt 0 ]; then
    echo "k8s_check: ${failures} problem(s)" >&2
    exit 1
fi
echo "k8s_check: all checks passed"
