"""The service-to-service HTTP client: keep-alive, timeouts, bounded retries, service tokens.

Read answers with ``get_json``/``post_json`` (the decoded body of an expected
status) or ``call`` (an ``Answer`` with its status, for callers that react to
particular refusals), and build values from them with ``parse``: every
failure of the other service (unreachable, too slow, 5xx, an unexpected
status, a body that is not JSON or does not fit) is ``ServiceUnavailable``
(503), logged once with what went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, TypeVar

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from common.errors import ServiceUnavailable
from common.request_id import HEADER as REQUEST_ID_HEADER
from common.request_id import get_request_id

# The client-credentials provider lives in its own module; it is named from here too.
from common.service_tokens import (  # noqa: E402, F401
    TOKEN_REFRESH_MARGIN_SECONDS,
    ClientCredentialsTokenProvider,
)

logger = logging.getLogger(__name__)


# The raw answer ``ApiClient.request`` returns, for the type hints of callers that read it later.
Response = requests.Response

# Every 4xx status: ``expect=CLIENT_ERRORS`` hands any refusal to the caller as an ``Answer``.
CLIENT_ERRORS = range(400, 500)

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """An answer of an expected status and its decoded JSON body.

    ``data`` is a dict or list for a 2xx with a body, None for a 204, and for
    a 4xx the problem document (a dict, empty when the body is not one: the
    status alone still says what happened).
    """

    status: int
    data: Any

    @property
    def code(self) -> str:
        """The problem ``code`` of a refusal, or "" when it names none."""
        return str(self.data.get("code") or "") if isinstance(self.data, dict) else ""


class TokenProvider(Protocol):
    def get_token(self, audience: str) -> str: ...

    def invalidate(self, audience: str) -> None: ...


def _session(
    *, retry_methods: frozenset[str], retries: int, pool_size: int = 10
) -> requests.Session:
    session = requests.Session()
    retry = Retry(
        total=retries,
        connect=retries,
        read=0,  # a read timeout is not retried: the first try may have acted, and time is spent
        status=retries,
        status_forcelist=(502, 503, 504),
        allowed_methods=retry_methods,
        backoff_factor=0.1,
        raise_on_status=False,
        respect_retry_after_header=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _timeout() -> tuple[float, float]:
    return (
        float(getattr(settings, "SERVICE_HTTP_CONNECT_TIMEOUT", 1.0)),
        float(getattr(settings, "SERVICE_HTTP_READ_TIMEOUT", 3.0)),
    )


@cache
def default_token_provider() -> TokenProvider:
    """Return the process's token provider (``SERVICE_TOKEN_PROVIDER`` or client credentials)."""
    dotted = getattr(settings, "SERVICE_TOKEN_PROVIDER", None)
    if dotted:
        from django.utils.module_loading import import_string

        return import_string(dotted)()
    return ClientCredentialsTokenProvider(
        token_url=settings.AUTH_SERVICE_URL.rstrip("/") + "/api/v1/auth/service-token",
        client_id=settings.SERVICE_CLIENT_ID,
        client_secret=settings.SERVICE_CLIENT_SECRET,
    )


class ApiClient:
    """Call another service's API over one keep-alive session, with timeouts and bounded retries.

    ``token`` (a user's access token) is sent as a bearer token when given;
    ``headers`` adds others (``Idempotency-Key``). Connection failures, timeouts
    and 5xx answers raise ``ServiceUnavailable`` (503); ``request`` returns
    any other answer, 401 included, and ``get_json``/``post_json``/``call``
    read it (an expected status, or 503). Idempotent methods (and POSTs
    marked ``idempotent=True``) are retried a bounded number of times on
    connection errors and 502/503/504.
    """

    def __init__(self, *, base_url: str, name: str, retries: int = 2):
        self.base_url = base_url.rstrip("/")
        self.name = name
        self._session = _session(retry_methods=Retry.DEFAULT_ALLOWED_METHODS, retries=retries)
        self._idempotent_post_session = _session(
            retry_methods=Retry.DEFAULT_ALLOWED_METHODS | {"POST"}, retries=retries
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool = False,
    ) -> requests.Response:
        """Send one request; see the class docstring for errors and retries."""
        session = self._idempotent_post_session if idempotent else self._session
        url = self.base_url + path
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        request_id = get_request_id()
        if request_id:
            sent[REQUEST_ID_HEADER] = request_id
        try:
            response = session.request(
                method, url, json=json, params=params, headers=sent, timeout=_timeout()
            )
        except requests.RequestException as exc:
            logger.warning("%s %s failed: %s", method, url, exc.__class__.__name__)
            raise ServiceUnavailable(f"The {self.name} service cannot be reached.") from exc
        if response.status_code >= 500:
            logger.error("%s %s answered %s", method, url, response.status_code)
            raise ServiceUnavailable(f"The {self.name} service could not answer.")
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def call(
        self, method: str, path: str, *, expect: Container[int] = (200,), **kwargs: Any
    ) -> Answer:
        """Send one request and return its ``Answer`` when its status is in ``expect``.

        Any other status, and a 2xx whose body is not a JSON object or list
        (204 aside), is this service's dependency failing: ``ServiceUnavailable``.
        """
        return self.answer(self.request(method, path, **kwargs), expect=expect)

    def get_json(self, path: str, *, expect: Container[int] = (200,), **kwargs: Any) -> Any:
        """GET ``path`` and return the decoded body of an expected status (see ``call``)."""
        return self.call("GET", path, expect=expect, **kwargs).data

    def post_json(self, path: str, *, expect: Container[int] = (200, 201), **kwargs: Any) -> Any:
        """POST to ``path`` and return the decoded body of an expected status (see ``call``)."""
        return self.call("POST", path, expect=expect, **kwargs).data

    def answer(self, response: requests.Response, *, expect: Container[int]) -> Answer:
        """Read ``response`` as ``call`` does (for callers that sent it with ``request``)."""
        where = f"{response.request.method} {response.url}"
        if response.status_code not in expect:
            logger.error("%s answered an unexpected %s", where, response.status_code)
            raise ServiceUnavailable(f"The {self.name} service gave an unexpected answer.")
        if response.status_code >= 400:
            return Answer(response.status_code, _problem_document(response))
        if response.status_code == 204:
            return Answer(204, None)
        try:
            data = response.json()
        except ValueError as exc:
            logger.error("%s answered %s with a body that is not JSON", where, response.status_code)
            raise self.unusable() from exc
        if not isinstance(data, dict | list):
            logger.error("%s answered %s with a bare JSON value", where, response.status_code)
            raise self.unusable()
        return Answer(response.status_code, data)

    def parse(self, build: Callable[[Any], T], data: Any) -> T:
        """Return ``build(data)``; data that does not fit (a missing key, a bad value) is 503."""
        try:
            return build(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            logger.error("Unusable answer from %s: %r", self.name, exc)
            raise self.unusable() from exc

    def unusable(self) -> ServiceUnavailable:
        """The error for an answer of the right status that cannot be used."""
        return ServiceUnavailable(f"The {self.name} service gave an unusable answer.")


def _problem_document(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class ServiceClient(ApiClient):
    """Call another service's API with a service token for ``audience``.

    As ``ApiClient``, except that the token is the service's own, renewed once
    on a 401 (it may predate a key rotation), and a 401 that persists is this
    service's failure: ``ServiceUnavailable``. A 401 problem whose ``code`` is
    in ``answer_401_codes`` is the endpoint's own answer (a refused password,
    not a refused service token): it is returned as it is, never retried.
    """

    def __init__(
        self,
        *,
        base_url: str,
        audience: str,
        token_provider: TokenProvider | None = None,
        retries: int = 2,
        answer_401_codes: frozenset[str] = frozenset(),
    ):
        super().__init__(base_url=base_url, name=audience, retries=retries)
        self.audience = audience
        self._token_provider = token_provider
        self.answer_401_codes = answer_401_codes

    def _token_refused(self, response: requests.Response) -> bool:
        if response.status_code != 401:
            return False
        if not self.answer_401_codes:
            return True
        return _problem_document(response).get("code") not in self.answer_401_codes

    @property
    def token_provider(self) -> TokenProvider:
        return self._token_provider or default_token_provider()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request with the service token; see the class docstring."""
        response = super().request(
            method, path, token=self.token_provider.get_token(self.audience), **kwargs
        )
        if self._token_refused(response):
            self.token_provider.invalidate(self.audience)
            response = super().request(
                method, path, token=self.token_provider.get_token(self.audience), **kwargs
            )
        if self._token_refused(response):
            logger.error("%s %s answered 401 to our service token", method, path)
            raise ServiceUnavailable(f"The {self.audience} service could not answer.")
        return response
