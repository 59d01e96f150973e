"""compose.yaml, the Dockerfiles and docker/postgres/init.sh agree with scripts/registry.py.

The registry is what `make run`, these tests and the benchmarks start; the containers are
configured by hand in compose.yaml and each service's Dockerfile. These checks read the
files (no stack, no Docker), so a service, port, address, database, worker model or scope
changed in one place and not the other fails here, as does a long-running container without
a health check or a dependency that does not wait for it.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from dockerfiles import arg_defaults, dockerfile_path, labels, runtime_env, stages
from registry import BY_NAME, SERVICES, main

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
# The service containers: those that publish a port.
PUBLISHED = {name: spec for name, spec in COMPOSE.items() if "ports" in spec}
# Those that keep running (all but the one-shot jobs, which compose never restarts).
LONG_RUNNING = {name for name, spec in COMPOSE.items() if spec.get("restart") != "no"}
# compose's services reach each other by these network aliases (Django refuses "_" in a host).
HOSTS = {s.name: s.name.replace("_", "-") for s in SERVICES}


def test_compose_publishes_every_service_on_its_port():
    assert {name: spec["ports"] for name, spec in PUBLISHED.items()} == {
        s.name: [f"127.0.0.1:{s.port}:8000"] for s in SERVICES
    }


def test_compose_starts_services_in_the_registry_order():
    """Each service depends on no service that starts after it."""
    order = [s.name for s in SERVICES]
    for position, name in enumerate(order):
        assert set(PUBLISHED[name].get("depends_on", {})).isdisjoint(order[position:])


@pytest.mark.parametrize("service", [s for s in SERVICES if s.url_env], ids=lambda s: s.name)
def test_compose_calls_each_service_by_its_url_variable(service):
    alias = HOSTS[service.name]
    assert alias in PUBLISHED[service.name]["networks"]["default"]["aliases"]
    for name, spec in COMPOSE.items():
        value = spec.get("environment", {}).get(service.url_env)
        assert value in (None, f"http://{alias}:8000"), name


def test_compose_sets_no_other_service_url_variable():
    known = {s.url_env for s in SERVICES}
    for name, spec in COMPOSE.items():
        variables = {v for v in spec.get("environment", {}) if v.endswith("_SERVICE_URL")}
        assert variables - {f"PUBLIC_{v}" for v in known} <= known, name


def test_the_portal_links_to_every_api_on_its_published_port():
    environment = PUBLISHED["portal"]["environment"]
    for service in SERVICES:
        if service.api:
            assert environment[f"PUBLIC_{service.url_env}"] == f"http://localhost:{service.port}"


@pytest.mark.parametrize("service", [s for s in SERVICES if s.grants], ids=lambda s: s.name)
def test_compose_hands_each_caller_its_secret_and_addresses(service):
    environment = PUBLISHED[service.name]["environment"]
    secret = f"{service.name.upper()}_CLIENT_SECRET"
    assert environment["SERVICE_CLIENT_SECRET"].startswith(f"${{{secret}:?")
    for audience in service.grants:
        assert BY_NAME[audience].url_env in environment


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_compose_gives_a_database_to_the_services_that_have_one(service):
    url = PUBLISHED[service.name]["environment"]["DATABASE_URL"]
    password = f"POSTGRES_{service.name.upper()}_PASSWORD"
    if service.database:
        assert re.fullmatch(
            rf"postgres://{service.name}:\$\{{{password}:\?[^}}]*\}}@postgres:5432/{service.name}",
            url,
        )
        assert password in COMPOSE["postgres"]["environment"]
    else:
        assert not url.startswith("postgres://")
        assert password not in COMPOSE["postgres"]["environment"]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_the_containers_run_the_registry_workers(service):
    """The image's default worker model, unless compose sets another."""
    environment = {**runtime_env(service.name), **PUBLISHED[service.name]["environment"]}
    assert environment.get("GUNICORN_WORKER_CLASS", "sync") == service.worker_class
    assert int(environment.get("GUNICORN_THREADS", "1")) == service.threads


def test_compose_creates_the_registry_service_accounts():
    script = " ".join(COMPOSE["auth_setup"]["command"]).replace("\\\n", " ")
    accounts: dict[str, dict[str, set[str]]] = {}
    for call in script.split("python manage.py service_account")[1:]:
        options = shlex.split(call.split("\n", 1)[0])
        grants: dict[str, set[str]] = {}
        for option, value in zip(options[::2], options[1::2], strict=True):
            if option == "--client-id":
                accounts[value] = grants
            elif option == "--audience":
                scopes = grants.setdefault(value, set())
            elif option == "--scope":
                scopes.add(value)
    assert accounts == {
        s.name: {audience: set(scopes) for audience, scopes in s.grants.items()}
        for s in SERVICES
        if s.grants
    }


def test_init_sh_creates_a_database_per_database_service():
    init = (ROOT / "docker" / "postgres" / "init.sh").read_text()
    names = re.search(r"^SERVICES=\(([^)]*)\)$", init, re.MULTILINE).group(1).split()
    assert names == [s.name for s in SERVICES if s.database]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["names"], [s.name for s in SERVICES]),
        (["names", "--api"], [s.name for s in SERVICES if s.api]),
        (["names", "--database"], [s.name for s in SERVICES if s.database]),
    ],
)
def test_registry_prints_the_names_the_makefile_reads(capsys, argv, expected):
    assert main(argv) == 0
    assert capsys.readouterr().out.split() == expected


@pytest.mark.parametrize("service", [s for s in SERVICES if s.grants], ids=lambda s: s.name)
def test_each_caller_warms_up_the_tokens_of_its_accounts_audiences(service):
    """SERVICE_TOKEN_AUDIENCES (fetched before a worker serves) are its account's audiences."""
    settings = (ROOT / service.name / service.name / "settings" / "base.py").read_text()
    [value] = re.findall(r"^SERVICE_TOKEN_AUDIENCES = (\(.*\))$", settings, re.MULTILINE)
    assert set(ast.literal_eval(value)) == set(service.grants)


def test_the_image_and_the_stack_serve_with_the_same_gunicorn_config():
    """Both pass common.gunicorn_conf, whose worker hook warms keys and tokens up."""
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    stack = (ROOT / "scripts" / "stack.py").read_text()
    assert "--config python:common.gunicorn_conf" in entrypoint
    assert '"--config",\n                "python:common.gunicorn_conf",' in stack


# The containers' images: one Dockerfile per service, built by compose.

OCI_LABELS = ("title", "description", "version", "source")


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_compose_builds_each_service_from_its_own_dockerfile(service):
    assert dockerfile_path(service.name).is_file()
    build = {"context": ".", "dockerfile": f"{service.name}/Dockerfile"}
    assert PUBLISHED[service.name]["build"] == build
    image = PUBLISHED[service.name]["image"]
    # The jobs that run in the same image build it from the same file, or not at all.
    for name, spec in COMPOSE.items():
        if spec.get("image") == image:
            assert spec.get("build", build) == build, name


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_dockerfile_builds_its_own_service(service):
    env = runtime_env(service.name)
    assert env["SERVICE"] == service.name
    assert env["DJANGO_SETTINGS_MODULE"] == f"{service.name}.settings.base"
    runtime = list(stages(service.name).values())[-1]
    assert ("COPY", f"{service.name}/ /app/") in runtime
    assert ("USER", "10001:10001") in runtime
    assert any(k == "HEALTHCHECK" and "/healthz" in a for k, a in runtime)
    assert any(k == "RUN" and "pip install" in a and "--no-index" in a for k, a in runtime)


def test_the_dockerfiles_share_one_base_image_and_one_builder_stage():
    """What is not a service's own is the same in every Dockerfile (there is no include)."""
    first = {s.name: list(stages(s.name).values())[0] for s in SERVICES}
    builders = {s.name: stages(s.name)["builder"] for s in SERVICES}
    assert len({str(stage) for stage in first.values()}) == 1, first
    assert len({str(stage) for stage in builders.values()}) == 1, builders
    [base] = {stage[0][1].split()[0] for stage in first.values()}
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_image_is_labelled_with_the_project_version(service):
    assert arg_defaults(service.name)["VERSION"] == (ROOT / "VERSION").read_text().strip()
    found = labels(service.name)
    assert set(found) >= {f"org.opencontainers.image.{name}" for name in OCI_LABELS}
    assert found["org.opencontainers.image.title"] == service.name
    assert found["org.opencontainers.image.version"] == "${VERSION}"


# Health and start order.

HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period"}


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_every_long_running_container_has_a_health_check(name):
    check = COMPOSE[name].get("healthcheck", {})
    assert not check.get("disable"), name
    assert set(check) >= HEALTHCHECK_KEYS, name
    assert check["test"][0] in ("CMD", "CMD-SHELL"), name


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_compose_checks_each_service_as_its_image_does(service):
    [healthcheck] = [a for k, a in list(stages(service.name).values())[-1] if k == "HEALTHCHECK"]
    image_command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert PUBLISHED[service.name]["healthcheck"]["test"] == ["CMD", *image_command]


@pytest.mark.parametrize("name", sorted(COMPOSE))
def test_every_dependency_waits_for_a_condition(name):
    """On a long-running container: healthy; on a one-shot job: completed successfully."""
    depends_on = COMPOSE[name].get("depends_on", {})
    assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
    for dependency, options in depends_on.items():
        expected = (
            "service_healthy" if dependency in LONG_RUNNING else "service_completed_successfully"
        )
        assert options.get("condition") == expected, (name, dependency)


@pytest.mark.parametrize("service", [s for s in SERVICES if s.grants], ids=lambda s: s.name)
def test_each_caller_starts_after_its_account_is_made(service):
    condition = PUBLISHED[service.name]["depends_on"]["auth_setup"]["condition"]
    assert condition == "service_completed_successfully"


# The scheduled jobs (docker/periodic.sh).

SCHEDULED = {
    "reconcile_appointments": "appointment_service",
    "reconcile_registrations": "auth_service",
}


def scheduled_job(command: str) -> tuple[str, dict]:
    [(name, spec)] = [
        (name, spec) for name, spec in COMPOSE.items() if command in spec.get("command", [])
    ]
    return name, spec


@pytest.mark.parametrize("command", sorted(SCHEDULED))
def test_the_reconcile_commands_run_on_a_schedule(command):
    service = SCHEDULED[command]
    name, spec = scheduled_job(command)
    assert spec["image"] == PUBLISHED[service]["image"]
    assert spec["restart"] == "unless-stopped"
    assert spec["command"][0] == "periodic.sh"
    assert spec["command"][2:] == ["python", "manage.py", command]
    assert int(spec["command"][1]) > 0
    assert list((ROOT / service).glob(f"*/*/management/commands/{command}.py")), name


@pytest.mark.parametrize(
    "name", sorted(n for n, s in COMPOSE.items() if s.get("command", [None])[0] == "periodic.sh")
)
def test_each_scheduled_job_is_unhealthy_once_its_runs_stop_succeeding(name):
    """Its health check allows more than one interval (a run's own time) but not three."""
    interval = int(COMPOSE[name]["command"][1])
    test = COMPOSE[name]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "periodic.sh", "--check"]
    assert interval < int(test[3]) < 3 * interval
