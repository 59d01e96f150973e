#!/usr/bin/env bash
# Dev overlay: write the git-ignored files its secretGenerator reads, from secrets/*.sample:
# every change-me value replaced by a random one (the same placeholder gets the same value
# in every file, so a role's password matches its DATABASE_URL), an RSA signing key and a
# self-signed certificate for the Ingress's hosts. Files that exist are left alone.
# Needs python3 and openssl. Dev only: prod's Secrets are made by hand (deploy/k8s/README.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/secrets"

python3 - <<'PY'
import pathlib
import re
import secrets

values = {}


def fill(match):
    return values.setdefault(match.group(0), secrets.token_urlsafe(48))


for sample in sorted(pathlib.Path(".").glob("*.env.sample")):
    target = sample.with_name(sample.name.removesuffix(".sample"))
    if target.exists():
        print(f"kept    {target}")
        continue
    target.write_text(re.sub(r"change-me-[A-Za-z0-9-]*", fill, sample.read_text()))
    target.chmod(0o600)
    print(f"wrote   {target}")
PY

umask 077
key=auth-signing-keys/signing-key.pem
if [ -e "${key}" ]; then
    echo "kept    ${key}"
else
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "${key}" 2>/dev/null
    echo "wrote   ${key}"
fi

if [ -e clinic-tls/tls.crt ]; then
    echo "kept    clinic-tls/tls.crt"
else
    hosts="DNS:clinic.example,DNS:api-auth.clinic.example,DNS:api-users.clinic.example"
    hosts="${hosts},DNS:api-schedule.clinic.example,DNS:api-appointments.clinic.example"
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=clinic.example" \
        -addext "subjectAltName=${hosts}" \
        -keyout clinic-tls/tls.key -out clinic-tls/tls.crt 2>/dev/null
    echo "wrote   clinic-tls/tls.crt and tls.key (self-signed)"
fi
