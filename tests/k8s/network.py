"""The network policies of a rendered overlay against the services' call graph."""

from __future__ import annotations

from checks import SERVICES, Obj, compose_environment, k8s_name, of_kind


def calls() -> dict[str, set[str]]:
    """Who calls whom: a service calls those whose URL variable compose gives it."""
    return {
        k8s_name(s.name): {
            k8s_name(c.name)
            for c in SERVICES
            if c.url_env in compose_environment(s.name) and c is not s
        }
        for s in SERVICES
    }


def _selected_names(selector: Obj) -> set[str]:
    names = set()
    for expression in selector.get("matchExpressions", []):
        if expression["key"] == "app.kubernetes.io/name" and expression["operator"] == "In":
            names |= set(expression["values"])
    if "app.kubernetes.io/name" in selector.get("matchLabels", {}):
        names.add(selector["matchLabels"]["app.kubernetes.io/name"])
    return names


def network_problems(objects: list[Obj]) -> list[str]:
    """Default deny both ways; service-to-service traffic exactly along the call graph."""
    policies = of_kind(objects, "NetworkPolicy")
    problems = []
    if not any(
        p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        problems.append("no default-deny policy for ingress and egress")
    egress: dict[str, set[str]] = {}
    ingress: dict[str, set[str]] = {}
    for policy in policies:
        selected = _selected_names(policy["spec"]["podSelector"])
        for rule in policy["spec"].get("egress", []):
            targets = {
                n
                for peer in rule.get("to", [])
                for n in _selected_names(peer.get("podSelector", {}))
            }
            for name in selected:
                egress.setdefault(name, set()).update(targets)
        for rule in policy["spec"].get("ingress", []):
            sources = {
                n
                for peer in rule.get("from", [])
                for n in _selected_names(peer.get("podSelector", {}))
            }
            for name in selected:
                ingress.setdefault(name, set()).update(sources)
    services = {k8s_name(s.name) for s in SERVICES}
    for caller, callees in calls().items():
        if egress.get(caller, set()) & services != callees:
            problems.append(
                f"{caller} may call {sorted(egress.get(caller, set()) & services)}, not {sorted(callees)}"
            )
        for callee in callees:
            if caller not in ingress.get(callee, set()):
                problems.append(f"{callee} does not let {caller} in")
    return problems
