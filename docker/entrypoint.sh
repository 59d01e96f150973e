#!/bin/sh
# Start a service container: migrate and make a signing key when asked, then serve with gunicorn.
#
# RUN_MIGRATIONS=1   apply the service's migrations first.
# JWT_GENERATE_KEY=1 (auth_service) create a signing key in JWT_KEYS_DIR when there is none.
# With arguments, run them instead of gunicorn (one-shot jobs such as compose's auth_setup).
set -eu

: "${SERVICE:?SERVICE is not set (set by <service>/Dockerfile)}"

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    python manage.py migrate --noinput
    # The database cache table (used when CACHE_URL is not set); a no-op when it exists.
    python manage.py createcachetable
fi

if [ "${SERVICE}" = "auth_service" ] && [ "${JWT_GENERATE_KEY:-0}" = "1" ]; then
    python manage.py signing_keys ensure
fi

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

# GUNICORN_WORKER_CLASS=gthread (with GUNICORN_THREADS) for a service that waits on others
# (the images of appointment_service and the portal set it): a sync worker idles through
# every call it makes.
# --no-control-socket: gunicorn's control socket would go to $HOME/.gunicorn, and the
# image's user has no home.
# common.gunicorn_conf: each worker fetches auth_service's keys, its service tokens and the
# revocation list before it serves, and keeps them fresh in the background.
exec gunicorn "${SERVICE}.wsgi" \
    --config python:common.gunicorn_conf \
    --bind 0.0.0.0:8000 \
    --workers "${GUNICORN_WORKERS:-2}" \
    --worker-class "${GUNICORN_WORKER_CLASS:-sync}" \
    --threads "${GUNICORN_THREADS:-1}" \
    --timeout 30 \
    --no-control-socket
