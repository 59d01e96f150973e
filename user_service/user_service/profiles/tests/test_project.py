"""Project-level wiring: health, schema and docs, error handlers."""

from common.testing import InternalSchemaChecks, ProjectChecks


class TestProject(ProjectChecks, InternalSchemaChecks):
    service = "user_service"
    public_paths = {
        "/api/v1/specialties/",
        "/api/v1/doctors/",
        "/api/v1/doctors/{id}/",
        "/api/v1/doctors/{id}/approve",
        "/api/v1/profiles/me/",
    }
    internal_paths = {
        "/internal/v1/profiles/",
        "/internal/v1/profiles/{user_id}/",
    }
