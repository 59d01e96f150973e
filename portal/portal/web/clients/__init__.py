"""The portal's only door to the services: each call with the signed-in person's own token.

One module per service called (``auth_api``, ``user_api``, ``schedule_api``,
``appointment_api``), all on ``base``. Every function returns small
dataclasses. An API refusal raises ``ApiProblem`` (status, code and field
errors of its RFC 9457 body); a service that is down, answers 5xx or gives an
answer that cannot be used raises ``common.errors.ServiceUnavailable``; a
token the services refuse even after a refresh raises ``SignInRequired``.
"""

from common.errors import ServiceUnavailable
from portal.web.clients.appointment_api import (
    Appointment,
    Event,
    appointment_cancel,
    appointment_complete,
    appointment_create,
    appointment_get,
    appointment_history,
    appointment_ics,
    appointment_list,
    appointment_reschedule,
    appointment_update,
)
from portal.web.clients.auth_api import (
    Account,
    auth_logout,
    auth_password_renew,
    auth_register,
    auth_token,
)
from portal.web.clients.base import ApiProblem, Page, Tokens, _client, _service_client
from portal.web.clients.schedule_api import (
    Policy,
    Rule,
    Slot,
    TimeOff,
    schedule_policy_get,
    schedule_policy_update,
    schedule_rule_create,
    schedule_rule_delete,
    schedule_rule_get,
    schedule_rule_list,
    schedule_rule_update,
    schedule_slot_get,
    schedule_slot_list,
    schedule_time_off_create,
    schedule_time_off_delete,
    schedule_time_off_list,
)
from portal.web.clients.user_api import (
    Doctor,
    Me,
    Profile,
    Specialty,
    user_doctor_get,
    user_doctor_list,
    user_profile_me,
    user_profile_mine,
    user_profiles,
    user_specialty_list,
)

__all__ = [
    "Account",
    "ApiProblem",
    "Appointment",
    "Doctor",
    "Event",
    "Me",
    "Page",
    "Policy",
    "Profile",
    "Rule",
    "ServiceUnavailable",
    "Slot",
    "Specialty",
    "TimeOff",
    "Tokens",
    "_client",
    "_service_client",
    "appointment_cancel",
    "appointment_complete",
    "appointment_create",
    "appointment_get",
    "appointment_history",
    "appointment_ics",
    "appointment_list",
    "appointment_reschedule",
    "appointment_update",
    "auth_logout",
    "auth_password_renew",
    "auth_register",
    "auth_token",
    "schedule_policy_get",
    "schedule_policy_update",
    "schedule_rule_create",
    "schedule_rule_delete",
    "schedule_rule_get",
    "schedule_rule_list",
    "schedule_rule_update",
    "schedule_slot_get",
    "schedule_slot_list",
    "schedule_time_off_create",
    "schedule_time_off_delete",
    "schedule_time_off_list",
    "user_doctor_get",
    "user_doctor_list",
    "user_profile_me",
    "user_profile_mine",
    "user_profiles",
    "user_specialty_list",
]
