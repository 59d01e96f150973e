"""The pieces the Postman story (scripts/postman_story.py) is written with.

A request is a Python call; its checks are the JavaScript Postman runs after it
(``pm.test``), written out once here for what every answer shares: a status, a problem
body, a page of results.
"""

from __future__ import annotations

import json
from textwrap import dedent
from typing import Any

# Where each service answers: a variable of the environment file.
AUTH = "{{auth_url}}"
USERS = "{{user_url}}"
SCHEDULE = "{{schedule_url}}"
APPOINTMENTS = "{{appointment_url}}"

PROBLEM_FIELDS = "'type', 'title', 'status', 'detail', 'code', 'request_id'"


def js(text: str) -> list[str]:
    """Lines of a script, from an indented block of JavaScript."""
    return dedent(text).strip("\n").splitlines()


def status(code: int) -> list[str]:
    return [f"pm.test('status is {code}', () => pm.response.to.have.status({code}));"]


def problem(code: int, problem_code: str) -> list[str]:
    """The answer is an RFC 9457 problem with this status and ``code``."""
    return [
        *status(code),
        *js(
            f"""
            pm.test('a problem: {problem_code}', () => {{
              const problem = pm.response.json();
              pm.expect(pm.response.headers.get('Content-Type')).to.include('application/problem+json');
              pm.expect(problem).to.include.all.keys({PROBLEM_FIELDS});
              pm.expect(problem.status).to.eql({code});
              pm.expect(problem.code).to.eql('{problem_code}');
            }});
            """
        ),
    ]


def page(*fields: str) -> list[str]:
    """A page of results (``count``, ``next``, ``previous``, ``results``); each has ``fields``."""
    keys = ", ".join(f"'{f}'" for f in fields)
    return js(
        f"""
        const page = pm.response.json();
        pm.test('a page of results', () => {{
          pm.expect(page).to.include.all.keys('count', 'next', 'previous', 'results');
          pm.expect(page.results).to.be.an('array');
          page.results.forEach((item) => pm.expect(item).to.include.all.keys({keys}));
        }});
        """
    )


def bearer(variable: str | None) -> dict[str, Any]:
    """The request's auth: the token in collection variable ``variable``, or none."""
    if variable is None:
        return {"type": "noauth"}
    return {
        "type": "bearer",
        "bearer": [{"key": "token", "value": "{{" + variable + "}}", "type": "string"}],
    }


def _url(raw: str, query: dict[str, str] | None) -> dict[str, Any]:
    base, _, path = raw.partition("}}")
    url: dict[str, Any] = {
        "raw": raw,
        "host": [base + "}}"],
        "path": [part for part in path.split("/") if part],
    }
    if raw.endswith("/"):
        url["path"].append("")
    if query:
        url["raw"] += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        url["query"] = [{"key": k, "value": v} for k, v in query.items()]
    return url


def _body(body: Any, form: dict[str, str] | None) -> tuple[list[dict], dict | None]:
    if form is not None:
        fields = [{"key": k, "value": v, "type": "text"} for k, v in form.items()]
        return (
            [{"key": "Content-Type", "value": "application/x-www-form-urlencoded"}],
            {"mode": "urlencoded", "urlencoded": fields},
        )
    if body is None:
        return [], None
    raw = body if isinstance(body, str) else json.dumps(body, indent=2)
    return (
        [{"key": "Content-Type", "value": "application/json"}],
        {"mode": "raw", "raw": raw, "options": {"raw": {"language": "json"}}},
    )


def request(
    name: str,
    method: str,
    url: str,
    *,
    token: str | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    before: list[str] | None = None,
    tests: list[str],
    description: str = "",
) -> dict[str, Any]:
    """One item of the collection: ``tests`` run after the answer, ``before`` before it.

    ``token`` names the collection variable whose token it sends (None: no token);
    ``body`` is JSON (a dict, or raw text for numbers from variables), ``form`` a form.
    """
    if not tests:
        raise ValueError(f"{name}: every request checks its answer")
    content_type, payload = _body(body, form)
    item: dict[str, Any] = {
        "name": name,
        "event": [],
        "request": {
            "method": method,
            "auth": bearer(token),
            "header": [
                *content_type,
                *({"key": k, "value": v} for k, v in (headers or {}).items()),
            ],
            "url": _url(url, query),
        },
    }
    if description:
        item["request"]["description"] = description
    if payload is not None:
        item["request"]["body"] = payload
    if before:
        item["event"].append(
            {"listen": "prerequest", "script": {"type": "text/javascript", "exec": before}}
        )
    item["event"].append({"listen": "test", "script": {"type": "text/javascript", "exec": tests}})
    return item


def folder(name: str, description: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "description": description, "item": items}
