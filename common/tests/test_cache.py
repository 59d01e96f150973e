"""Tests of common.cache: Redis away means per-process memory, one warning a minute, and Redis again when it is back."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis

from common import cache as cache_module
from common.cache import FallbackRedisCache
from common.counters import count_attempt


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_cache(port: int, *, retry: float = 0.3, prefix: str = "t") -> FallbackRedisCache:
    return FallbackRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {
            "RETRY_SECONDS": retry,
            "KEY_PREFIX": f"{prefix}-{port}",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    )


@pytest.fixture
def redis_server():
    """A throwaway redis-server of the test's own, which the test may stop and start."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    processes: list[subprocess.Popen] = []

    def start() -> None:
        processes.append(
            subprocess.Popen(
                [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop() -> None:
        process = processes.pop()
        process.terminate()
        process.wait(5)

    server = type(
        "Server", (), {"port": port, "start": staticmethod(start), "stop": staticmethod(stop)}
    )
    yield server
    while processes:
        stop()


def test_an_unreachable_redis_is_replaced_by_memory(caplog):
    cache = make_cache(free_port())

    with caplog.at_level(logging.WARNING, logger="common.cache"):
        assert cache.add("k", 1, timeout=60) is True
        assert cache.incr("k") == 2
        assert cache.get("k") == 2
        cache.set_many({"a": 1, "b": 2})
        assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
        assert cache.has_key("a") and cache.touch("a", 60)
        cache.delete_many(["a"])
        cache.delete("b")
        assert cache.get("a") is None and cache.get("b", "gone") == "gone"
        cache.clear()
        assert cache.get("k") is None

    assert cache.redis_is_down
    warnings = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(warnings) == 1


def test_counters_still_count_atomically_per_process_while_redis_is_away(settings):
    """Each thread gets its own cache object from Django; they count in one memory."""
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    counts: list[int] = []

    def attempt() -> None:
        counts.append(count_attempt("login:x", window=60))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == list(range(1, 21))


def test_the_warning_comes_at_most_once_a_minute(caplog, monkeypatch):
    cache = make_cache(free_port(), retry=0.0001)
    clock = {"now": 1000.0}
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock["now"])

    with caplog.at_level(logging.WARNING, logger="common.cache"):
        for step in range(5):  # every call tries Redis again (retry period is over) and fails
            clock["now"] += 10
            cache.get(f"k{step}")
        clock["now"] += 60
        cache.get("later")

    warnings = [r for r in caplog.records if "cannot be reached" in r.getMessage()]
    assert len(warnings) == 2


def test_threads_share_the_memory_and_the_health_of_one_redis():
    port = free_port()
    first, second = make_cache(port), make_cache(port)  # Django makes one per thread

    first.set("shared", "yes", timeout=60)

    assert second.redis_is_down
    assert second.get("shared") == "yes"


def test_redis_is_used_while_it_answers_and_again_once_it_is_back(redis_server, caplog):
    redis_server.start()
    cache = make_cache(redis_server.port, retry=0.3)
    raw = redis.Redis(port=redis_server.port)

    cache.set("before", 1, timeout=60)
    assert raw.exists(cache.make_key("before")) == 1

    redis_server.stop()
    assert cache.get("before") is None  # memory knows nothing of what Redis held
    cache.set("during", 2, timeout=60)
    assert cache.redis_is_down

    redis_server.start()
    with caplog.at_level(logging.WARNING, logger="common.cache"):
        deadline = time.monotonic() + 5
        while cache.redis_is_down and time.monotonic() < deadline:
            time.sleep(0.05)
        cache.set("after", 3, timeout=60)

    assert raw.exists(cache.make_key("after")) == 1
    assert not cache.redis_is_down
    assert "answers again" in caplog.text


def test_other_redis_errors_are_not_hidden(redis_server):
    redis_server.start()
    cache = make_cache(redis_server.port)
    redis.Redis(port=redis_server.port).set(cache.make_key("text"), "not a number")

    with pytest.raises(redis.ResponseError):
        cache.incr("text")
    assert not cache.redis_is_down
