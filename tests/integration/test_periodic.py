"""docker/periodic.sh: compose's scheduled jobs and their health check (no Docker needed).

A job's heartbeat is touched after each run that succeeds; ``--check MAX_AGE`` passes while
the heartbeat is at most MAX_AGE seconds old. The runs here take no time (interval 0); each
test waits for the job's second run to begin, by when the first run's outcome is recorded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import wait_for

SCRIPT = Path(__file__).resolve().parents[2] / "docker" / "periodic.sh"

# The first run exits with $FIRST_STATUS; the second marks that it began and waits to be stopped.
JOB = """#!/bin/sh
if [ -e "$JOB_DIR/first" ]; then
    touch "$JOB_DIR/second"
    exec sleep 300
fi
touch "$JOB_DIR/first"
exit "$FIRST_STATUS"
"""


@pytest.fixture
def heartbeat(tmp_path):
    return tmp_path / "heartbeat"


def periodic(heartbeat: Path, *args: str, **env: str) -> list[str]:
    """The command line and environment of periodic.sh with its heartbeat at ``heartbeat``."""
    return ["sh", str(SCRIPT), *args], {**os.environ, "HEARTBEAT_FILE": str(heartbeat), **env}


def check(heartbeat: Path, max_age: str) -> subprocess.CompletedProcess:
    argv, env = periodic(heartbeat, "--check", max_age)
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)


def test_check_fails_before_any_run_has_succeeded(heartbeat):
    result = check(heartbeat, "660")
    assert result.returncode == 1
    assert "no run has succeeded yet" in result.stderr


@pytest.mark.parametrize(("age", "max_age", "status"), [(10, "60", 0), (120, "60", 1)])
def test_check_compares_the_heartbeat_age_with_the_limit(heartbeat, age, max_age, status):
    heartbeat.touch()
    then = time.time() - age
    os.utime(heartbeat, (then, then))
    result = check(heartbeat, max_age)
    assert result.returncode == status, result.stderr


@pytest.mark.parametrize("args", [(), ("--check",), ("--check", "x"), ("300",), ("5m", "true")])
def test_wrong_arguments_are_refused(heartbeat, args):
    argv, env = periodic(heartbeat, *args)
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "usage:" in result.stderr


@pytest.mark.parametrize(("first_status", "beats"), [("0", True), ("3", False)])
def test_only_a_run_that_succeeds_touches_the_heartbeat(tmp_path, heartbeat, first_status, beats):
    job = tmp_path / "job.sh"
    job.write_text(JOB)
    # A heartbeat left by an earlier container start does not count.
    heartbeat.touch()
    argv, env = periodic(
        heartbeat, "0", "sh", str(job), JOB_DIR=str(tmp_path), FIRST_STATUS=first_status
    )
    log = tmp_path / "stderr"
    with log.open("w") as stderr:
        process = subprocess.Popen(argv, env=env, stderr=stderr)
    try:
        wait_for(lambda: (tmp_path / "second").exists(), bool, what="the second run")
        assert heartbeat.exists() is beats
        assert (check(heartbeat, "60").returncode == 0) is beats
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    # SIGTERM (docker stop) ends the script through its trap, which ends the running job.
    assert process.returncode == 143
    assert ("failed (exit 3)" in log.read_text()) is not beats
