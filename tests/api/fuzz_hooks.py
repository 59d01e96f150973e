"""schemathesis hooks of tests/api/test_fuzz.py (loaded by the run's ``hooks`` setting)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import schemathesis

# gunicorn refuses a request line longer than its ``limit_request_line`` (4094 bytes) with
# an HTML 414 of its own, before any service sees the request; a proxy in front would too.
# Cases that long test gunicorn, not the API: they are not sent. The margin is for the
# method, the host-less target's encoding differences and " HTTP/1.1".
REQUEST_LINE_LIMIT = 4094 - 200


@schemathesis.hook
def filter_case(context, case) -> bool:  # noqa: ARG001 - the hook's signature
    target = quote(case.formatted_path, safe="/") + "?" + urlencode(case.query or {}, doseq=True)
    return len(target.encode()) < REQUEST_LINE_LIMIT
