"""gunicorn settings every service is served with (``gunicorn -c python:common.gunicorn_conf``).

docker/entrypoint.sh and scripts/stack.py both pass it. Each worker, once it
has loaded the service, fetches auth_service's keys, its own service tokens
and the revocation list before it serves a request, and keeps them fresh in
the background (``common.refresh.warm_up``). Commands (``manage.py``) and unit
tests never load this module.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """gunicorn's hook, in each worker after the application is loaded."""
    from common.refresh import warm_up

    warm_up()
