"""URLs of auth_service: admin, health, API schema and docs, the JWKS, the auth API and the internal one."""

from django.urls import include, path

from auth_service.accounts.service_apis import JwksApi
from auth_service.accounts.urls import account_internal_urlpatterns, internal_urlpatterns
from common.urls import handler400, handler403, handler404, handler500, service_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    *service_urlpatterns(),
    path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
    path("api/v1/auth/", include("auth_service.accounts.urls")),
    path("internal/v1/auth/", include((internal_urlpatterns, "internal"))),
    path("internal/v1/accounts/", include((account_internal_urlpatterns, "internal-accounts"))),
]
