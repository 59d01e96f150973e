#!/bin/sh
# Run a job on a schedule in a container, and tell compose's health check whether it keeps working.
#
#   periodic.sh INTERVAL COMMAND [ARG...]
#       run COMMAND now, then again INTERVAL seconds after each run ends, until stopped;
#       touch the heartbeat file after each run that succeeds.
#   periodic.sh --check MAX_AGE
#       exit 0 when a run succeeded within the last MAX_AGE seconds (the health check).
#
# A failed run is retried at the next interval; one that keeps failing, or hangs, leaves the
# heartbeat to grow old and the container turns unhealthy. HEARTBEAT_FILE: where the
# heartbeat is (default /tmp/periodic.heartbeat; the image's user may write /tmp).
set -eu

heartbeat=${HEARTBEAT_FILE:-/tmp/periodic.heartbeat}

usage() {
    echo "usage: periodic.sh INTERVAL COMMAND [ARG...] | periodic.sh --check MAX_AGE" >&2
    exit 2
}

is_seconds() {
    case $1 in
        '' | *[!0-9]*) return 1 ;;
        *) return 0 ;;
    esac
}

if [ "${1:-}" = "--check" ]; then
    { [ "$#" -eq 2 ] && is_seconds "$2"; } || usage
    if [ ! -f "${heartbeat}" ]; then
        echo "no run has succeeded yet" >&2
        exit 1
    fi
    age=$(($(date +%s) - $(stat -c %Y "${heartbeat}")))
    if [ "${age}" -gt "$2" ]; then
        echo "the last run that succeeded ended ${age} s ago (more than $2 s)" >&2
        exit 1
    fi
    exit 0
fi

{ [ "$#" -ge 2 ] && is_seconds "$1"; } || usage
interval=$1
shift

# Only this process's runs count (the file may survive a restart of the container).
rm -f "${heartbeat}"

# The job and the sleep run in the background so that `docker stop` (SIGTERM to this
# script, the container's first process) ends both at once instead of after the timeout.
child=
trap '[ -z "${child}" ] || kill -TERM "${child}" 2>/dev/null; exit 143' TERM INT

while :; do
    "$@" &
    child=$!
    if wait "${child}"; then
        touch "${heartbeat}"
    else
        echo "periodic.sh: '$*' failed (exit $?); next run in ${interval} s" >&2
    fi
    sleep "${interval}" &
    child=$!
    wait "${child}" || true
    child=
done
