"""What tests/k8s/test_manifests.py asks of a rendered overlay: each check lists its problems.

The expectations come from the project's own files: compose.yaml (each service's
environment), scripts/registry.py (services, workers), the settings and the secret samples.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from manifests import ROOT
from registry import SERVICES

Obj = dict[str, Any]

# What compose sets that Kubernetes deliberately does not: the key comes from a Secret.
COMPOSE_ONLY = {"JWT_GENERATE_KEY"}
UID = 10001
MAX_CONNECTIONS = "clinic.example/postgres-max-connections"
WORKLOADS = ("Deployment", "StatefulSet", "Job", "CronJob")


def k8s_name(service: str) -> str:
    return service.replace("_", "-")


@functools.cache
def compose_environment(service: str) -> set[str]:
    """The variables compose.yaml gives ``service``'s container (merge keys resolved)."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return set(compose["services"][service]["environment"]) - COMPOSE_ONLY


@functools.cache
def required_by_settings(service: str) -> set[str]:
    """Variables the settings read with ``conf.required`` (no default: the start fails)."""
    files = [ROOT / "common/src/common/settings.py", ROOT / service / service / "settings/base.py"]
    pattern = re.compile(r"\brequired\(\s*[\"']([A-Z0-9_]+)[\"']")
    return {name for path in files for name in pattern.findall(path.read_text())}


def of_kind(objects: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def pod_spec(workload: Obj) -> Obj:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def pod_specs(objects: list[Obj]) -> Iterator[tuple[str, Obj]]:
    for workload in objects:
        if workload["kind"] in WORKLOADS:
            yield f"{workload['kind']}/{workload['metadata']['name']}", pod_spec(workload)


def containers(spec: Obj) -> list[Obj]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def server(objects: list[Obj], service: str) -> Obj:
    """The service's Deployment."""
    name = k8s_name(service)
    return next(o for o in of_kind(objects, "Deployment") if o["metadata"]["name"] == name)


def env_names(objects: list[Obj], container: Obj) -> dict[str, Any]:
    """The container's variables: its env, and the keys of the ConfigMaps it takes whole."""
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in of_kind(objects, "ConfigMap")}
    names: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            names.update(config_maps.get(source["configMapRef"]["name"], {}))
    for variable in container.get("env", []):
        names[variable["name"]] = variable.get("value", variable.get("valueFrom"))
    return names


def probe_problems(objects: list[Obj]) -> list[str]:
    """Every service's server has startup and liveness on /healthz, readiness on /readyz."""
    wanted = {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    problems = [
        f"{where}/{c['name']}: no {probe}"
        for where, spec in pod_specs(objects)
        if not where.startswith(("Job/", "CronJob/"))
        for c in spec["containers"]
        for probe in wanted
        if probe not in c
    ]
    for service in SERVICES:
        app = server(objects, service.name)["spec"]["template"]["spec"]["containers"][0]
        hosts = str(env_names(objects, app).get("DJANGO_ALLOWED_HOSTS", "")).split(",")
        for probe, path in wanted.items():
            get = app.get(probe, {}).get("httpGet", {})
            if get.get("path") != path or get.get("port") != "http":
                problems.append(f"{service.name}: {probe} is not GET {path} on port http")
            host = {h["name"]: h["value"] for h in get.get("httpHeaders", [])}.get("Host")
            if host not in hosts:
                problems.append(f"{service.name}: {probe} sends Host {host!r}, not an allowed host")
    return problems


def security_problems(objects: list[Obj]) -> list[str]:
    """Every pod: non-root, read-only root, no privilege, limits; the services' as uid 10001."""
    problems = []
    for where, spec in pod_specs(objects):
        pod = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: mounts a service account token")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: no RuntimeDefault seccomp profile")
        ours = spec["serviceAccountName"] in {k8s_name(s.name) for s in SERVICES}
        if ours and (pod.get("runAsUser"), pod.get("runAsGroup")) != (UID, UID):
            problems.append(f"{where}: does not run as {UID}:{UID}")
        for container in containers(spec):
            problems += [
                f"{where}/{container['name']}: {p}" for p in _container_problems(container)
            ]
    return problems


def _container_problems(container: Obj) -> Iterator[str]:
    context = container.get("securityContext", {})
    if context.get("runAsNonRoot") is not True:
        yield "runAsNonRoot is not true"
    if context.get("readOnlyRootFilesystem") is not True:
        yield "the root filesystem is writable"
    if context.get("allowPrivilegeEscalation") is not False:
        yield "privilege escalation allowed"
    if context.get("capabilities", {}).get("drop") != ["ALL"]:
        yield "capabilities not dropped"
    resources = container.get("resources", {})
    for bound in ("requests", "limits"):
        if not {"cpu", "memory"} <= set(resources.get(bound, {})):
            yield f"no cpu and memory {bound}"


def environment_problems(objects: list[Obj]) -> list[str]:
    """Each service's pods name what compose gives it and its settings require; workers."""
    problems = []
    for service in SERVICES:
        name = k8s_name(service.name)
        needed = compose_environment(service.name) | required_by_settings(service.name)
        for where, spec in pod_specs(objects):
            if spec["serviceAccountName"] != name:
                continue
            for container in containers(spec):
                env = env_names(objects, container)
                missing = sorted(needed - set(env))
                if missing:
                    problems.append(f"{where}/{container['name']}: no {', '.join(missing)}")
                if env.get("RUN_MIGRATIONS") != "0" or env.get("JWT_GENERATE_KEY", "0") != "0":
                    problems.append(f"{where}/{container['name']}: migrates or makes keys itself")
        env = env_names(
            objects, server(objects, service.name)["spec"]["template"]["spec"]["containers"][0]
        )
        workers = (env.get("GUNICORN_WORKER_CLASS", "sync"), int(env.get("GUNICORN_THREADS", 1)))
        if workers != (service.worker_class, service.threads):
            problems.append(f"{service.name}: workers {workers}, the registry says otherwise")
    return problems


def service_url_problems(objects: list[Obj]) -> list[str]:
    """Every *_SERVICE_URL a server is given is the Service of that service, on its port."""
    services = {
        (s["metadata"]["name"], p["port"])
        for s in of_kind(objects, "Service")
        for p in s["spec"]["ports"]
    }
    problems = []
    for service in SERVICES:
        env = env_names(
            objects, server(objects, service.name)["spec"]["template"]["spec"]["containers"][0]
        )
        for callee in SERVICES:
            url = env.get(callee.url_env or "")
            if url is None:
                continue
            match = re.fullmatch(r"http://([a-z-]+):(\d+)", str(url))
            if (
                not match
                or (match[1], int(match[2])) not in services
                or match[1] != k8s_name(callee.name)
            ):
                problems.append(
                    f"{service.name}: {callee.url_env}={url} is not {callee.name}'s Service"
                )
    return problems


def secret_references(objects: list[Obj]) -> set[tuple[str, str | None]]:
    """Every (Secret, key) the objects use; key None for a whole Secret."""
    references: set[tuple[str, str | None]] = set()
    for _, spec in pod_specs(objects):
        for container in containers(spec):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    references.add((ref["name"], ref["key"]))
            references |= {
                (s["secretRef"]["name"], None)
                for s in container.get("envFrom", [])
                if "secretRef" in s
            }
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                items = volume["secret"].get("items") or [{"key": None}]
                references |= {(volume["secret"]["secretName"], item["key"]) for item in items}
    for ingress in of_kind(objects, "Ingress"):
        for tls in ingress["spec"].get("tls", []):
            references |= {(tls["secretName"], "tls.crt"), (tls["secretName"], "tls.key")}
    return references


def secret_problems(objects: list[Obj], templates: dict[str, set[str]]) -> list[str]:
    """Every Secret used is in the overlay's template; nothing secret is written in clear."""
    problems = [
        f"Secret {name} key {key} is not in the overlay's secrets/*.sample"
        for name, key in sorted(secret_references(objects), key=str)
        if name not in templates or (key is not None and key not in templates[name])
    ]
    secretish = re.compile(r"SECRET|PASSWORD|DATABASE_URL|CACHE_URL")
    for _, spec in pod_specs(objects):
        for container in containers(spec):
            problems += [
                f"{container['name']}: {v['name']} has a literal value"
                for v in container.get("env", [])
                if secretish.search(v["name"]) and "value" in v
            ]
    for config_map in of_kind(objects, "ConfigMap"):
        problems += [
            f"ConfigMap {config_map['metadata']['name']}: {k}"
            for k in config_map.get("data", {})
            if secretish.search(k)
        ]
    return problems


def cronjob_problems(objects: list[Obj]) -> list[str]:
    """One run at a time, a start deadline, bounded retries and run time."""
    problems = []
    for cron in of_kind(objects, "CronJob"):
        spec, name = cron["spec"], cron["metadata"]["name"]
        if spec.get("concurrencyPolicy") != "Forbid":
            problems.append(f"{name}: concurrencyPolicy is not Forbid")
        job = spec["jobTemplate"]["spec"]
        for field, value in (
            ("startingDeadlineSeconds", spec),
            ("backoffLimit", job),
            ("activeDeadlineSeconds", job),
        ):
            if field not in value:
                problems.append(f"{name}: no {field}")
    return problems


def release_problems(objects: list[Obj]) -> list[str]:
    """Every image is the project's version (VERSION); a release Job's name ends with it."""
    version = (ROOT / "VERSION").read_text().strip()
    problems = [
        f"{where}: {c['image']} is not version {version}"
        for where, spec in pod_specs(objects)
        for c in containers(spec)
        if c["image"].startswith("clinic/") and c["image"].rpartition(":")[2] != version
    ]
    for job in of_kind(objects, "Job"):
        tag = pod_spec(job)["containers"][0]["image"].rpartition(":")[2]
        if not job["metadata"]["name"].endswith("-" + tag.replace(".", "-")):
            problems.append(f"Job {job['metadata']['name']} does not carry its release {tag}")
    return problems


def connection_budget(objects: list[Obj]) -> tuple[int, list[str]]:
    """PostgreSQL connections at the autoscalers' maximum, and how they add up.

    A server pod holds workers x pool (DB_POOL_MAX, by default GUNICORN_THREADS): at most
    the autoscaler's maximum (the replicas without one) plus the rollout's surge pods.
    Each Job and CronJob (one run at a time) holds one; PostgreSQL keeps 3 for superusers.
    """
    hpa_max = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in of_kind(objects, "HorizontalPodAutoscaler")
    }
    lines, total = [], 3
    for service in SERVICES:
        deployment = server(objects, service.name)
        env = env_names(objects, deployment["spec"]["template"]["spec"]["containers"][0])
        pods = hpa_max.get(deployment["metadata"]["name"]) or deployment["spec"].get("replicas", 1)
        surge = deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
        pods += surge if isinstance(surge, int) else math.ceil(pods * int(surge.rstrip("%")) / 100)
        workers = int(env["GUNICORN_WORKERS"])
        pool = int(env.get("DB_POOL_MAX", env.get("GUNICORN_THREADS", 1)))
        total += pods * workers * pool
        lines.append(
            f"{service.name}: {pods} pods x {workers} workers x {pool} = {pods * workers * pool}"
        )
    jobs = len(of_kind(objects, "Job")) + len(of_kind(objects, "CronJob"))
    lines.append(f"jobs and cron jobs: {jobs}; superuser reserve: 3; total {total + jobs}")
    return total + jobs, lines


def budget_problems(objects: list[Obj]) -> list[str]:
    """The connection budget stays under the limit the overlay states on its Namespace."""
    namespace = of_kind(objects, "Namespace")[0]
    limit = int(namespace["metadata"].get("annotations", {}).get(MAX_CONNECTIONS, 0))
    total, lines = connection_budget(objects)
    problems = [] if total <= limit else [f"{total} connections > max_connections {limit}: {lines}"]
    for statefulset in of_kind(objects, "StatefulSet"):
        args = " ".join(pod_spec(statefulset)["containers"][0].get("args", []))
        if f"max_connections={limit}" not in args:
            problems.append(
                f"{statefulset['metadata']['name']} does not set max_connections={limit}"
            )
    return problems


def per_service_problems(objects: list[Obj], *, autoscaled: bool) -> list[str]:
    """Each server has a Service, a disruption budget and (where wanted) an autoscaler."""
    problems = []
    for service in SERVICES:
        name = k8s_name(service.name)
        for kind in (
            "Service",
            "PodDisruptionBudget",
            *(("HorizontalPodAutoscaler",) if autoscaled else ()),
        ):
            if not any(o["metadata"]["name"] == name for o in of_kind(objects, kind)):
                problems.append(f"{service.name}: no {kind}")
        image = server(objects, service.name)["spec"]["template"]["spec"]["containers"][0]["image"]
        if not re.fullmatch(rf"clinic/{service.name}:\d+\.\d+\.\d+", image):
            problems.append(f"{service.name}: image {image} is not pinned by its release tag")
    return problems
