# syntax=docker/dockerfile:1
# One image recipe for every Django service; the build context is the repository root:
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=auth_service .
# SERVICE is one of auth_service, user_service, schedule_service, appointment_service, portal.

# The one pinned base image of both stages (written out, not an ARG, so that hadolint checks it).
FROM python:3.11.14-slim-bookworm AS python-base

# Builder: wheels for the pinned runtime requirements and a non-editable wheel of common.
FROM python-base AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /build
# The requirements first, so that editing common does not rebuild every dependency wheel.
COPY requirements/base.txt requirements/base.txt
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements/base.txt
COPY common/ common/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ./common

# Runtime: the wheels installed without the build stage's leftovers, one service's code.
FROM python-base AS runtime

ARG SERVICE
RUN test -n "${SERVICE}" || { echo "Build with --build-arg SERVICE=<service>" >&2; exit 1; }

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    SERVICE=${SERVICE} \
    DJANGO_SETTINGS_MODULE=${SERVICE}.settings.base

RUN groupadd --system --gid 10001 app \
    && useradd --system --no-log-init --uid 10001 --gid app \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app

# --no-index: only the wheels built above, so the image holds exactly the pinned versions.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl

WORKDIR /app
COPY ${SERVICE}/ /app/
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/entrypoint.sh

# Static files are collected at build time (settings need a secret key to load; this one
# only lives in this layer's command). The code stays root-owned and read-only for the app
# user; only var/ (SQLite files when DATABASE_URL is unset), auth_service's keys folder and
# the portal's data folder (its sessions database) are writable. A named volume mounted on
# either folder takes its owner from the image.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
    && chown app:app /app/var \
    && if [ "${SERVICE}" = "auth_service" ]; then \
        install -d -m 0700 -o app -g app /var/lib/auth/keys; \
    fi \
    && if [ "${SERVICE}" = "portal" ]; then \
        install -d -m 0700 -o app -g app /app/data; \
    fi

USER 10001:10001

EXPOSE 8000

# python:*-slim has no curl: ask /healthz with the standard library.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3).status == 200 else 1)"]

ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
