"""Running one call in many threads at once, for the race tests."""

from __future__ import annotations

import threading
from typing import Any


def race(fn: Any, items: Any, *, timeout: float = 30.0) -> list[Any]:
    """Call ``fn(item)`` for every item, each in its own thread, all at once.

    The threads wait at one barrier so that they really race; each closes its
    own database connection when done. Returns, in the order of ``items``,
    what each call returned or the exception it raised.
    """
    from django.db import connection

    items = list(items)
    barrier = threading.Barrier(len(items))
    outcomes: list[Any] = [None] * len(items)

    def run(index: int, item: Any) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = fn(item)
        except BaseException as exc:  # the outcome is what the test counts
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
