"""Project-level wiring: health, schema and docs, error handlers."""

import re

from common.testing import InternalSchemaChecks, ProjectChecks


class TestProject(ProjectChecks, InternalSchemaChecks):
    service = "schedule_service"
    public_paths = {
        "/api/v1/availability/",
        "/api/v1/availability/{id}/",
        "/api/v1/time-off/",
        "/api/v1/time-off/{id}/",
        "/api/v1/policy/",
        "/api/v1/doctors/{doctor_id}/slots/",
        "/api/v1/slots/{slot_id}/",
    }
    internal_paths = {
        "/internal/v1/holds/",
        "/internal/v1/doctors/{doctor_id}/slots/",
        "/internal/v1/slots/{slot_id}/",
        "/internal/v1/slots/{slot_id}/reserve",
        "/internal/v1/slots/{slot_id}/release",
    }

    def test_slot_list_documents_the_doctor_and_the_window(self, anon_client):
        slot_list = self.public_schema(anon_client)["paths"]["/api/v1/doctors/{doctor_id}/slots/"]
        assert {p["name"] for p in slot_list["get"]["parameters"]} >= {"doctor_id", "from", "to"}

    def test_a_taken_slot_is_a_documented_problem(self, client, django_user_model):
        schema = self.internal_schema(client, django_user_model)
        conflict = schema["paths"]["/internal/v1/slots/{slot_id}/reserve"]["post"]["responses"][
            "409"
        ]
        assert "application/problem+json" in conflict["content"]

    def test_a_bad_appointment_id_on_a_slot_look_up_is_a_documented_400(
        self, client, django_user_model
    ):
        schema = self.internal_schema(client, django_user_model)
        responses = schema["paths"]["/internal/v1/slots/{slot_id}/"]["get"]["responses"]
        assert "application/problem+json" in responses["400"]["content"]

    def test_wall_times_are_documented_as_the_api_writes_them(self, anon_client):
        # "09:00", not RFC 3339's `time` (seconds and an offset) that a client would expect.
        schemas = self.public_schema(anon_client)["components"]["schemas"]
        for component in ("RuleOutput", "RuleInputRequest", "PatchedRuleInputRequest"):
            for field in ("start_time", "end_time"):
                documented = schemas[component]["properties"][field]
                assert "format" not in documented, (component, field)
                assert re.fullmatch(documented["pattern"].strip("^$"), "09:00")
                assert not re.fullmatch(documented["pattern"].strip("^$"), "09:00:00Z")
