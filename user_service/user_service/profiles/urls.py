"""URLs of the profiles app: the public API and, separately, the internal one."""

from django.urls import path

from user_service.profiles import apis, internal_apis

api_urlpatterns = [
    path("specialties/", apis.SpecialtyListApi.as_view(), name="specialty-list"),
    path("doctors/", apis.DoctorListApi.as_view(), name="doctor-list"),
    path("doctors/<str:id>/", apis.DoctorDetailApi.as_view(), name="doctor-detail"),
    path("doctors/<str:id>/approve", apis.DoctorApproveApi.as_view(), name="doctor-approve"),
    path("profiles/me/", apis.ProfileMeApi.as_view(), name="profile-me"),
]

internal_urlpatterns = [
    path("profiles/", internal_apis.ProfileListCreateInternalApi.as_view(), name="profile-list"),
    path(
        "profiles/<str:user_id>/",
        internal_apis.ProfileDetailInternalApi.as_view(),
        name="profile-detail",
    ),
]
