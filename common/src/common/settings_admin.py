"""The settings of a service with a Django admin, for staff signed in by auth_service.

Star-imported by the API services' ``settings/base.py`` after
``common.settings`` (the portal has no admin); auth_service replaces
``AUTHENTICATION_BACKENDS``, as it checks staff passwords itself.
"""

from common.conf import env

# Sessions serve the admin only (the session holds the staff member's refresh token),
# ended after an idle hour.
SESSION_COOKIE_AGE = env.int("ADMIN_SESSION_IDLE_SECONDS", default=3600)
# Admin sign-in: the account is re-checked with auth_service this often, and failed
# sign-ins are counted per browser address (common.admin_sso).
AUTHENTICATION_BACKENDS = ["common.admin_sso.AuthServiceStaffBackend"]
ADMIN_RECHECK_SECONDS = env.int("ADMIN_RECHECK_SECONDS", default=300)
ADMIN_LOGIN_FAILURES_PER_ADDRESS = env.int("ADMIN_LOGIN_FAILURES_PER_ADDRESS", default=20)
ADMIN_LOGIN_FAILURE_WINDOW_SECONDS = env.int("ADMIN_LOGIN_FAILURE_WINDOW_SECONDS", default=900)
