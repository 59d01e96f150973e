"""URLs of the scheduling app: the public API and, separately, the internal one."""

from django.urls import path

from schedule_service.scheduling import apis, internal_apis

api_urlpatterns = [
    path("availability/", apis.AvailabilityRuleListApi.as_view(), name="rule-list"),
    path("availability/<int:id>/", apis.AvailabilityRuleDetailApi.as_view(), name="rule-detail"),
    path("time-off/", apis.TimeOffListApi.as_view(), name="time-off-list"),
    path("time-off/<int:id>/", apis.TimeOffDetailApi.as_view(), name="time-off-detail"),
    path("policy/", apis.PolicyApi.as_view(), name="policy"),
    path("doctors/<uuid:doctor_id>/slots/", apis.SlotListApi.as_view(), name="slot-list"),
    path("slots/<uuid:slot_id>/", apis.SlotDetailApi.as_view(), name="slot-get"),
]

internal_urlpatterns = [
    path("holds/", internal_apis.HoldListInternalApi.as_view(), name="hold-list"),
    path(
        "doctors/<uuid:doctor_id>/slots/",
        internal_apis.SlotListInternalApi.as_view(),
        name="doctor-slot-list",
    ),
    path(
        "slots/<uuid:slot_id>/", internal_apis.SlotDetailInternalApi.as_view(), name="slot-detail"
    ),
    path(
        "slots/<uuid:slot_id>/reserve",
        internal_apis.SlotReserveInternalApi.as_view(),
        name="slot-reserve",
    ),
    path(
        "slots/<uuid:slot_id>/release",
        internal_apis.SlotReleaseInternalApi.as_view(),
        name="slot-release",
    ),
]
