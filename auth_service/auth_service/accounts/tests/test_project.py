"""Project-level wiring: health, schema and docs, error handlers."""

from common.testing import ProjectChecks


class TestProject(ProjectChecks):
    service = "auth_service"
    public_paths = {
        "/.well-known/jwks.json",
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/auth/token/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/auth/password/renew",
        "/api/v1/auth/service-token",
    }
