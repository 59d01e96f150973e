"""Sessions, sign-in, messages and CSRF only where a browser signs in: the admin's paths.

An API service answers bearer tokens: none of its API routes reads a session
cookie, a signed-in Django user or a flash message, and a request that
carries no cookie that signs anyone in has no use for a CSRF token. Django's
middleware for those (``SessionMiddleware``, ``CsrfViewMiddleware``,
``AuthenticationMiddleware``, ``MessageMiddleware``) and
``common.admin_session.AdminSessionMiddleware`` run on every request all the
same: a session lookup, a CSRF check, a reverse() of the admin's URLs.

The classes here are those middleware, each acting only on a path that
starts with one of ``SESSION_PATH_PREFIXES`` (the admin, and the internal
API docs that staff open signed in to it) and passing every other request
straight on. They stay subclasses of Django's own, so the admin's checks of
``MIDDLEWARE`` (admin.E408-E410) hold. The portal, all pages, keeps Django's
middleware on every path (``common.conf.middleware(sessions_on_every_path=True)``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from common.admin_session import AdminSessionMiddleware

# The paths where staff sign in with a session: the admin and the internal API docs.
DEFAULT_SESSION_PATH_PREFIXES = ("/admin/", "/internal/schema/", "/internal/docs/")


def uses_sessions(request: HttpRequest) -> bool:
    """Whether ``request`` goes to a path that signs in with a session (``SESSION_PATH_PREFIXES``)."""
    prefixes = getattr(settings, "SESSION_PATH_PREFIXES", DEFAULT_SESSION_PATH_PREFIXES)
    return request.path_info.startswith(tuple(prefixes))


class _OnSessionPaths:
    """Run the middleware it is mixed into only on session paths (``uses_sessions``).

    Synchronous only, as the services are served (gunicorn's sync and gthread workers).
    """

    async_capable = False
    sync_capable = True

    def __call__(self, request: HttpRequest):
        if not uses_sessions(request):
            return self.get_response(request)  # type: ignore[attr-defined]
        return super().__call__(request)  # type: ignore[misc]


class AdminSessions(_OnSessionPaths, SessionMiddleware):
    """``SessionMiddleware`` on session paths only."""


class AdminCsrf(_OnSessionPaths, CsrfViewMiddleware):
    """``CsrfViewMiddleware`` on session paths only: elsewhere no cookie signs anyone in."""

    def process_view(self, request, callback, callback_args, callback_kwargs):
        if not uses_sessions(request):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)


class AdminAuthentication(_OnSessionPaths, AuthenticationMiddleware):
    """``AuthenticationMiddleware`` on session paths only (API views read their bearer token)."""


class AdminMessages(_OnSessionPaths, MessageMiddleware):
    """``MessageMiddleware`` on session paths only."""


class AdminSessionCheck(_OnSessionPaths, AdminSessionMiddleware):
    """``common.admin_session.AdminSessionMiddleware`` on session paths only."""
