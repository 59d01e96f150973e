"""URLs of the accounts API (under /api/v1/auth/) and its internal API (/internal/v1/auth/,
/internal/v1/accounts/)."""

from django.urls import path

from auth_service.accounts import apis, internal_apis, service_apis

urlpatterns = [
    path("register", apis.RegisterApi.as_view(), name="register"),
    path("token", apis.TokenObtainApi.as_view(), name="token"),
    path("token/refresh", apis.TokenRefreshApi.as_view(), name="token-refresh"),
    path("logout", apis.LogoutApi.as_view(), name="logout"),
    path("me", apis.MeApi.as_view(), name="me"),
    path("password", apis.PasswordChangeApi.as_view(), name="password"),
    path("password/renew", apis.PasswordRenewApi.as_view(), name="password-renew"),
    path("service-token", service_apis.ServiceTokenApi.as_view(), name="service-token"),
]

internal_urlpatterns = [
    path("staff-token", internal_apis.StaffTokenInternalApi.as_view(), name="staff-token"),
    # Ended sign-ins, polled by every service (common.revocations.RevocationList).
    path(
        "revocations",
        internal_apis.RevocationListInternalApi.as_view(),
        name="revocations",
    ),
]

# Under /internal/v1/accounts/.
account_internal_urlpatterns = [
    path("", internal_apis.AccountListInternalApi.as_view(), name="account-list"),
]
