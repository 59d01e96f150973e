"""Build postman/clinic.postman_collection.json from every service's OpenAPI schema.

Each operation becomes a request with the schema's example body; signing in
stores the tokens in collection variables, so the requests after it work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from registry import SERVICES

ROOT = Path(__file__).resolve().parents[1]

STORE_PAIR = [
    "const body = pm.response.json();",
    "if (body.access) { pm.collectionVariables.set('access_token', body.access); }",
    "if (body.refresh) { pm.collectionVariables.set('refresh_token', body.refresh); }",
    "pm.test('status is 2xx', () => pm.expect(pm.response.code).to.be.within(200, 299));",
]
STORE_SERVICE = [
    "const body = pm.response.json();",
    "if (body.access_token) { pm.collectionVariables.set('service_token', body.access_token); }",
    "pm.test('status is 200', () => pm.response.to.have.status(200));",
]
# Requests in the order a person walks through them.
ORDER = {
    path: rank
    for rank, path in enumerate(
        [
            "/api/v1/auth/register",
            "/api/v1/auth/token",
            "/api/v1/auth/me",
            "/api/v1/auth/token/refresh",
            "/api/v1/auth/password",
            "/api/v1/auth/logout",
            "/api/v1/auth/service-token",
            "/.well-known/jwks.json",
            "/api/v1/specialties/",
            "/api/v1/doctors/",
            "/api/v1/doctors/{doctor_id}/slots/",
            "/api/v1/appointments/",
        ]
    )
}
STORE_FIRST_SLOT = [
    "const body = pm.response.json();",
    "if (body.results && body.results.length) {",
    "  pm.collectionVariables.set('slot_id', body.results[0].id);",
    "}",
    "pm.test('status is 200', () => pm.response.to.have.status(200));",
]
STORE_APPOINTMENT = [
    "const body = pm.response.json();",
    "if (body.id) { pm.collectionVariables.set('appointment_service_id', body.id); }",
    "pm.test('status is 201', () => pm.response.to.have.status(201));",
]
CHECK_2XX = ["pm.test('status is 2xx', () => pm.expect(pm.response.code).to.be.within(200, 299));"]


def url_variable(service: str) -> str:
    """The collection variable holding a service's address: auth_url, ..., portal_url."""
    return service.removesuffix("_service") + "_url"


def schema(service: str, *, internal: bool = False) -> dict:
    """The service's public OpenAPI schema, or its internal one (the /internal/ endpoints)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": f"{service}.settings.test"}
    extra = ["--custom-settings", "common.schema.INTERNAL_SCHEMA_SETTINGS"] if internal else []
    out = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--format", "openapi-json", *extra],
        cwd=ROOT / service,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def example_body(operation: dict) -> tuple[str, str] | None:
    content = operation.get("requestBody", {}).get("content", {})
    for media in ("application/json", "application/x-www-form-urlencoded"):
        if media in content:
            examples = content[media].get("examples", {})
            value = next(iter(examples.values()))["value"] if examples else {}
            return media, value
    return None


def body_for(path: str, media: str, value: dict) -> dict:
    substitutions = {"refresh": "{{refresh_token}}", "client_secret": "{{client_secret}}"}
    value = {k: substitutions.get(k, v) for k, v in value.items()}
    if path.endswith("/auth/token"):
        value = {"email": "{{email}}", "password": "{{password}}"}
    if path.endswith("/service-token"):
        value = {**value, "audience": "user_service", "scope": "profiles:read"}
    if media == "application/x-www-form-urlencoded":
        return {
            "mode": "urlencoded",
            "urlencoded": [{"key": k, "value": str(v)} for k, v in value.items()],
        }
    return {
        "mode": "raw",
        "raw": json.dumps(value, indent=2),
        "options": {"raw": {"language": "json"}},
    }


def request_item(service: str, path: str, method: str, operation: dict) -> dict:
    url_var = url_variable(service)
    postman_path = path.replace("{", "{{").replace("}", "}}")
    for name in ("id", "user_id", "doctor_id"):
        postman_path = postman_path.replace("{{" + name + "}}", "{{" + f"{service}_{name}" + "}}")
    # Required query parameters come from variables named like the path ones.
    required = [
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query" and parameter.get("required")
    ]
    if required:
        postman_path += "?" + "&".join(f"{name}={{{{{service}_{name}}}}}" for name in required)
    item: dict = {
        "name": operation.get("summary") or f"{method.upper()} {path}",
        "request": {
            "method": method.upper(),
            "header": [],
            "url": f"{{{{{url_var}}}}}{postman_path}",
        },
    }
    if path.startswith("/internal/"):
        item["request"]["auth"] = {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{service_token}}"}],
        }
    elif operation.get("security") and any("bearerAuth" in s for s in operation["security"]):
        item["request"]["auth"] = {
            "type": "bearer",
            "bearer": [{"key": "token", "value": "{{access_token}}"}],
        }
    else:
        item["request"]["auth"] = {"type": "noauth"}
    body = example_body(operation)
    if body:
        media, value = body
        item["request"]["header"].append({"key": "Content-Type", "value": media})
        item["request"]["body"] = body_for(path, media, value)
    lines = CHECK_2XX
    if path == "/api/v1/doctors/{doctor_id}/slots/":
        lines = STORE_FIRST_SLOT
    elif path == "/api/v1/appointments/" and method == "post":
        lines = STORE_APPOINTMENT
    elif path.endswith(("/auth/token", "/auth/token/refresh")):
        lines = STORE_PAIR
    elif path.endswith("/service-token"):
        lines = STORE_SERVICE
    item["event"] = [{"listen": "test", "script": {"type": "text/javascript", "exec": lines}}]
    return item


def main() -> None:
    folders = []
    for service in (s.name for s in SERVICES if s.api):
        if not (ROOT / service / "manage.py").exists():
            continue
        spec_paths = {**schema(service)["paths"], **schema(service, internal=True)["paths"]}
        paths = sorted(spec_paths.items(), key=lambda item: ORDER.get(item[0], len(ORDER)))
        items = [
            request_item(service, path, method, operation)
            for path, methods in paths
            for method, operation in methods.items()
        ]
        folders.append({"name": service, "item": items})
    variables = {
        **{
            url_variable(s.name): f"http://127.0.0.1:{s.port}"
            for s in sorted(SERVICES, key=lambda s: s.port)
        },
        "email": "ana.lima@demo.clinic",
        "password": "demo-clinic-2026",
        "access_token": "",
        "refresh_token": "",
        "service_token": "",
        "client_secret": "",
        "user_service_id": "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f",
        "user_service_user_id": "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f",
        # Lena Weber and Ana Lima (demo/demo_data.json) for the batch profile look-up.
        "user_service_ids": "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f,bf0c1aba-5b77-5a3f-99d5-e9ec6ff00f5e",
        "schedule_service_doctor_id": "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f",
        "schedule_service_id": "",
        "slot_id": "",
        "appointment_service_id": "",
    }
    collection = {
        "info": {
            "name": "Clinic booking",
            "description": "Every endpoint of the clinic booking services. Run 'Sign in' first; it stores "
            "the tokens. For /internal/ calls, set client_secret (from .dev/secrets.json) and run "
            "the client-credentials request.",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": folders,
        "variable": [{"key": k, "value": v} for k, v in variables.items()],
    }
    out = ROOT / "postman" / "clinic.postman_collection.json"
    out.write_text(json.dumps(collection, indent=2, ensure_ascii=False) + "\n")
    environment = {
        "name": "local",
        "values": [
            {"key": k, "value": v, "enabled": True}
            for k, v in variables.items()
            if k.endswith("_url")
        ],
    }
    (ROOT / "postman" / "local.postman_environment.json").write_text(
        json.dumps(environment, indent=2) + "\n"
    )
    count = sum(len(f["item"]) for f in folders)
    print(f"Wrote {out.relative_to(ROOT)} with {count} requests.")


if __name__ == "__main__":
    main()
