"""App config of common: the OpenAPI bearer scheme, the admin's look, staff groups and sign-in."""

from django.apps import AppConfig, apps


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin
        from django.core import checks
        from django.db.models.signals import post_migrate

        # Importing registers JWTAuthenticationScheme with drf-spectacular.
        from common import schema  # noqa: F401

        # One look for every admin, named after the service it runs in.
        if not apps.is_installed("django.contrib.admin"):
            return
        name = getattr(settings, "SERVICE_NAME", "")
        admin.site.site_header = f"Clinic admin · {name}" if name else "Clinic admin"
        admin.site.site_title = admin.site.site_header
        admin.site.index_title = "Staff tools"

        from common import admin_groups, admin_sso

        # The staff groups and their local permissions, after every migrate.
        post_migrate.connect(admin_groups.sync_after_migrate, dispatch_uid="common-admin-groups")
        checks.register(admin_sso.check_session_engine)
        if admin_sso.BACKEND in getattr(settings, "AUTHENTICATION_BACKENDS", ()):
            from django.contrib.auth.signals import user_logged_in, user_logged_out

            admin.site.login_form = admin_sso.AdminSignInForm
            user_logged_in.connect(admin_sso.keep_refresh_token, dispatch_uid="admin-sso-in")
            user_logged_out.connect(admin_sso.revoke_refresh_token, dispatch_uid="admin-sso-out")
