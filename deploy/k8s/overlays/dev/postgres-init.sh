#!/usr/bin/env bash
# Dev overlay, first start of the postgres StatefulSet: one database and one LOGIN role per
# service, as docker/postgres/init.sh does for compose, and one for the portal too (in
# Kubernetes its sessions are in PostgreSQL, shared by its replicas).
#
# Run by the postgres image's entrypoint from /docker-entrypoint-initdb.d, once, on an
# empty data directory. Role <service> owns database <service>; nobody else (but the
# superuser) may connect to it. Passwords come from POSTGRES_<SERVICE>_PASSWORD (the
# postgres Secret).
set -euo pipefail

SERVICES=(auth_service user_service schedule_service appointment_service portal)

run_psql() {
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" \
        --dbname "${POSTGRES_DB:-postgres}" "$@"
}

for service in "${SERVICES[@]}"; do
    password_var="POSTGRES_${service^^}_PASSWORD"
    if [ -z "${!password_var:-}" ]; then
        echo "postgres-init.sh: ${password_var} is empty; set it in the postgres Secret" >&2
        exit 1
    fi
    # The password is read from the environment inside psql (\getenv), so it appears on
    # no command line; :"x" and :'x' quote the identifier and the literal.
    run_psql -v role="${service}" -v password_var="${password_var}" <<'SQL'
\getenv password :password_var
CREATE ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
    echo "postgres-init.sh: database and role ${service} created"
done

# PUBLIC may connect to these by default; the service roles have no business there.
run_psql <<'SQL'
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
SQL
