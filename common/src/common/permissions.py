"""Permission classes: which principal (role or service scope) may call an endpoint."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from common.auth import ServicePrincipal, UserPrincipal

ROLE_PATIENT = "patient"
ROLE_DOCTOR = "doctor"
ROLE_STAFF = "staff"
ROLES = (ROLE_PATIENT, ROLE_DOCTOR, ROLE_STAFF)

# Staff groups, named in a staff member's access token (claim ``groups``). Every admin
# lets in only staff with at least one of them; only clinic-admin is a superuser.
GROUP_CLINIC_ADMIN = "clinic-admin"
GROUP_FRONT_DESK = "front-desk"
GROUP_READ_ONLY = "read-only"
STAFF_GROUPS = (GROUP_CLINIC_ADMIN, GROUP_FRONT_DESK, GROUP_READ_ONLY)


class IsUser(BasePermission):
    """A person's access token; service tokens get 403 on user endpoints."""

    message = "This endpoint needs a user's access token."
    roles: tuple[str, ...] = ROLES

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not isinstance(user, UserPrincipal):
            return False
        if user.role not in self.roles:
            self.message = f"This endpoint is for: {', '.join(self.roles)}."
            return False
        return True


class IsPatient(IsUser):
    roles = (ROLE_PATIENT,)


class IsDoctor(IsUser):
    roles = (ROLE_DOCTOR,)


class IsStaff(IsUser):
    roles = (ROLE_STAFF,)


class HasServiceScope(BasePermission):
    """A service token whose scope covers the view's ``required_scopes``.

    ``required_scopes`` is a set, or a dict from HTTP method to a set.
    User tokens get 403 here.
    """

    message = "This endpoint needs a service token with the required scope."

    def has_permission(self, request, view) -> bool:
        principal = request.user
        if not isinstance(principal, ServicePrincipal):
            return False
        required = getattr(view, "required_scopes", None)
        if isinstance(required, dict):
            required = required.get(request.method, required.get("*"))
        # A view that names no scope is closed, not open to every service.
        if not required:
            return False
        return set(required) <= principal.scopes
