"""The rendered Kubernetes overlays (deploy/k8s) hold what the platform needs.

Each check of checks.py must find nothing in the real overlays, and must find the fault
in a copy broken on purpose (the second half): a check that cannot fail proves nothing.
"""

from __future__ import annotations

import copy

import checks
import network
import pytest
from manifests import load, secret_templates


def test_servers_probe_healthz_and_readyz(overlay):
    _, objects = overlay
    assert checks.probe_problems(objects) == []


def test_every_pod_is_locked_down_and_bounded(overlay):
    _, objects = overlay
    assert checks.security_problems(objects) == []


def test_every_pod_has_its_service_environment(overlay):
    _, objects = overlay
    assert checks.environment_problems(objects) == []


def test_service_urls_name_the_services(overlay):
    _, objects = overlay
    assert checks.service_url_problems(objects) == []


def test_secrets_are_referenced_by_name_from_the_template(overlay):
    name, objects = overlay
    assert checks.secret_problems(objects, secret_templates(name)) == []


def test_dev_generates_exactly_its_template_and_prod_no_secret(overlay):
    name, objects = overlay
    generated = {
        s["metadata"]["name"]: set(s.get("data", {})) for s in checks.of_kind(objects, "Secret")
    }
    assert generated == (secret_templates(name) if name == "dev" else {})


def test_cronjobs_run_one_at_a_time_and_bounded(overlay):
    _, objects = overlay
    assert len(checks.of_kind(objects, "CronJob")) == 3
    assert checks.cronjob_problems(objects) == []


def test_release_jobs_carry_the_release(overlay):
    _, objects = overlay
    names = {
        job["metadata"]["name"].rsplit("-migrate-", 1)[0] for job in checks.of_kind(objects, "Job")
    }
    assert names >= {checks.k8s_name(s.name) for s in checks.SERVICES}
    assert checks.release_problems(objects) == []


def test_connection_budget_holds_at_the_autoscalers_maximum(overlay):
    _, objects = overlay
    assert checks.budget_problems(objects) == []


def test_network_policies_follow_the_call_graph(overlay):
    _, objects = overlay
    assert network.calls()["auth-service"] == {"user-service"}
    assert network.network_problems(objects) == []


def test_each_service_has_its_service_budget_and_autoscaler(overlay):
    name, objects = overlay
    assert checks.per_service_problems(objects, autoscaled=name == "prod") == []


# A copy of an overlay broken on purpose: each check finds the fault.


def _server(objects, service="appointment_service"):
    return checks.server(objects, service)["spec"]["template"]["spec"]


def _drop_env(objects, variable):
    for container in _server(objects)["containers"]:
        container["env"] = [v for v in container["env"] if v["name"] != variable]
    return objects


def _set(objects, path, value):
    *parents, last = path
    target = objects
    for key in parents:
        target = target[key]
    target[last] = value
    return objects


def _by_kind(objects, kind, index=0):
    return objects.index(checks.of_kind(objects, kind)[index])


BREAKAGES = {
    "liveness on /readyz": (
        checks.probe_problems,
        lambda o: (
            _set(_server(o)["containers"][0], ["livenessProbe", "httpGet", "path"], "/readyz") and o
        ),
    ),
    "probe without Host": (
        checks.probe_problems,
        lambda o: (
            _set(_server(o)["containers"][0]["startupProbe"], ["httpGet", "httpHeaders"], []) and o
        ),
    ),
    "no startup probe": (
        checks.probe_problems,
        lambda o: _server(o, "auth_service")["containers"][0].pop("startupProbe") and o,
    ),
    "writable root": (
        checks.security_problems,
        lambda o: (
            _set(_server(o)["containers"][0]["securityContext"], ["readOnlyRootFilesystem"], False)
            and o
        ),
    ),
    "no limits": (
        checks.security_problems,
        lambda o: _server(o)["containers"][0]["resources"].pop("limits") and o,
    ),
    "root user": (
        checks.security_problems,
        lambda o: _set(_server(o)["securityContext"], ["runAsUser"], 0) and o,
    ),
    "missing secret key variable": (
        checks.environment_problems,
        lambda o: _drop_env(o, "DJANGO_SECRET_KEY"),
    ),
    "migrations at start": (
        checks.environment_problems,
        lambda o: _set(_server(o)["containers"][0]["env"][0], ["value"], "1") and o,
    ),
    "wrong service url": (
        checks.service_url_problems,
        lambda o: (
            [
                c
                for c in checks.of_kind(o, "ConfigMap")
                if "SCHEDULE_SERVICE_URL" in c.get("data", {})
            ][0]["data"].update(SCHEDULE_SERVICE_URL="http://schedule:8000")
            or o
        ),
    ),
    "literal secret": (
        lambda o: checks.secret_problems(o, secret_templates("prod")),
        lambda o: (
            _server(o)["containers"][0]["env"].append(
                {"name": "SERVICE_CLIENT_SECRET", "value": "x"}
            )
            or o
        ),
    ),
    "unknown secret": (
        lambda o: checks.secret_problems(o, secret_templates("prod")),
        lambda o: (
            _set(
                _server(o)["containers"][0]["env"][1]["valueFrom"]["secretKeyRef"],
                ["name"],
                "nowhere",
            )
            and o
        ),
    ),
    "concurrent cron job": (
        checks.cronjob_problems,
        lambda o: _set(o[_by_kind(o, "CronJob")]["spec"], ["concurrencyPolicy"], "Allow") and o,
    ),
    "job of another release": (
        checks.release_problems,
        lambda o: (
            _set(o[_by_kind(o, "Job")]["metadata"], ["name"], "auth-service-migrate-0-9-0") and o
        ),
    ),
    "image of another version": (
        checks.release_problems,
        lambda o: (
            _set(_server(o)["containers"][0], ["image"], "clinic/appointment_service:9.9.9") and o
        ),
    ),
    "autoscaler past the budget": (
        checks.budget_problems,
        lambda o: (
            _set(o[_by_kind(o, "HorizontalPodAutoscaler")]["spec"], ["maxReplicas"], 50) and o
        ),
    ),
    "thicker pool": (
        checks.budget_problems,
        lambda o: (
            _server(o)["containers"][0]["env"].append({"name": "DB_POOL_MAX", "value": "64"}) or o
        ),
    ),
    "call outside the graph": (
        network.network_problems,
        lambda o: (
            [
                p
                for p in checks.of_kind(o, "NetworkPolicy")
                if p["metadata"]["name"] == "user-service-egress"
            ][0]["spec"]["egress"][0]["to"][0]["podSelector"]["matchExpressions"][0][
                "values"
            ].append("portal")
            or o
        ),
    ),
    "no default deny": (
        network.network_problems,
        lambda o: [p for p in o if p["metadata"]["name"] != "default-deny"],
    ),
    "no disruption budget": (
        lambda o: checks.per_service_problems(o, autoscaled=True),
        lambda o: [x for x in o if x["kind"] != "PodDisruptionBudget"],
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_each_check_finds_its_fault(rendered, breakage):
    check, breaks = BREAKAGES[breakage]
    objects = load(rendered["prod"])
    assert check(objects) == []
    assert check(breaks(copy.deepcopy(objects))) != []
