"""Internal endpoints under /internal/v1/auth/ and /internal/v1/accounts/: service tokens only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_service.accounts import selectors
from auth_service.accounts.apis import BAD_INPUT, NO_STORE, PAIR_EXAMPLE, THROTTLED
from auth_service.accounts.selectors import ACCOUNT_EMAIL_SEARCH_MAX_RESULTS, ACCOUNT_LIST_MAX_IDS
from auth_service.accounts.serializers import (
    AccountInternalOutputSerializer,
    AccountListInternalFilterInputSerializer,
    RevocationListOutputSerializer,
    StaffTokenInputSerializer,
    TokenPairOutputSerializer,
)
from auth_service.accounts.services import staff
from common.auth import REVOCATIONS_SCOPE
from common.pagination import PageNumberPagination, paginated_response
from common.permissions import HasServiceScope
from common.schema import FORBIDDEN, UNAUTHORIZED, UNAVAILABLE, problem

SCOPE_STAFF_SIGN_IN = "staff:sign-in"
SCOPE_ACCOUNTS_READ = "accounts:read"


class StaffTokenInternalApi(APIView):
    """A staff member signs in to a service's admin: that service asks here for them."""

    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_STAFF_SIGN_IN}

    @extend_schema(
        tags=["internal"],
        summary="Admin sign-in: a token pair for a staff member with a staff group",
        description=f"Scope `{SCOPE_STAFF_SIGN_IN}` (a service token for `auth_service`). "
        "The calling service's admin passes on the email and password it was given and the "
        "browser's address, `client_address`: failures are throttled per account and per "
        "that address, as at `POST /api/v1/auth/token`. Only a staff account in at least one "
        "staff group (`clinic-admin`, `front-desk`, `read-only`) gets a pair; any other "
        "account gets the same 401 as a wrong password. The access token names the groups "
        "in its `groups` claim.",
        request=StaffTokenInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: BAD_INPUT,
            401: problem(
                "Wrong email or password, not staff with a group, or no valid service token",
                status=401,
                code="invalid-credentials",
            ),
            403: FORBIDDEN,
            429: THROTTLED,
            503: UNAVAILABLE,
        },
        examples=[
            OpenApiExample(
                "sign in",
                value={
                    "email": "desk@clinic.example",
                    "password": "correct-horse-battery",
                    "client_address": "203.0.113.7",
                },
                request_only=True,
            ),
            PAIR_EXAMPLE,
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = StaffTokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pair = staff.staff_token_issue(
            email=data["email"], password=data["password"], address=data["client_address"]
        )
        return Response(TokenPairOutputSerializer(pair).data, headers=NO_STORE)


class AccountBatchPagination(PageNumberPagination):
    """Every account of one batch look-up in one page."""

    page_size = ACCOUNT_LIST_MAX_IDS


class AccountListInternalApi(APIView):
    """Other services' admins name the accounts behind the ids they keep, or search by email."""

    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_ACCOUNTS_READ}
    pagination_class = AccountBatchPagination

    @extend_schema(
        tags=["internal"],
        summary="Get many accounts by id, or search them by email",
        description=f"Scope `{SCOPE_ACCOUNTS_READ}` (a service token for `auth_service`). The "
        f"accounts of the ids in `ids` (comma-separated, at most {ACCOUNT_LIST_MAX_IDS}), in "
        "the order given, all in one page; unknown ids are left out. Or, instead of `ids`, "
        "the accounts whose email contains `email` (any case), by email, at most "
        f"{ACCOUNT_EMAIL_SEARCH_MAX_RESULTS}. Every role and state is answered: the admins "
        "show who is behind an id and whether they may still sign in.",
        parameters=[AccountListInternalFilterInputSerializer],
        responses={
            200: AccountInternalOutputSerializer(many=True),
            400: problem(
                f"Neither or both of `ids` and `email`, a malformed UUID, more than "
                f"{ACCOUNT_LIST_MAX_IDS} ids, or an empty or too long email text"
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: problem("No such page", status=404, code="not-found"),
        },
        examples=[
            OpenApiExample(
                "account",
                value={
                    "id": "5e1c9d2a-7b3f-4c6d-8e9a-1b2c3d4e5f60",
                    "email": "jonas.keller@example.com",
                    "role": "patient",
                    "is_active": True,
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request: Request) -> Response:
        filters = AccountListInternalFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if "ids" in data:
            users = selectors.user_list_by_ids(user_ids=data["ids"])
        else:
            users = selectors.user_search_by_email(text=data["email"])
        return paginated_response(self, request, users, AccountInternalOutputSerializer)


class RevocationListInternalApi(APIView):
    """Ended sign-ins: each service polls this and refuses the access tokens it names."""

    permission_classes = [HasServiceScope]
    required_scopes = {REVOCATIONS_SCOPE}

    @extend_schema(
        tags=["internal"],
        summary="Revoked sign-ins: access tokens that every service refuses",
        description=f"Scope `{REVOCATIONS_SCOPE}` (a service token for `auth_service`). "
        "Each entry names an account (`sub`) and a Unix time (`revoked_before`): every access "
        "token of that account whose `iat` is earlier is refused, whatever its `exp`. An entry "
        "is made when clinic staff deactivate an account (then it covers every token issued "
        "while the account stays inactive) or reset its password, and stays listed for "
        "`window_seconds` (the access-token lifetime and a margin): by then every token it "
        "refuses has expired. The whole list comes each time (no paging: it holds only the "
        "last few minutes); each service fetches it every `REVOCATIONS_POLL_SECONDS` per "
        "process, never per request. Ids only: no email or name.",
        responses={
            200: RevocationListOutputSerializer,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
        examples=[
            OpenApiExample(
                "list",
                value={
                    "revocations": [
                        {
                            "sub": "0b7c6a52-8f3e-4d55-9a57-3e2f0c1d9a11",
                            "revoked_before": 1796112000,
                        }
                    ],
                    "window_seconds": 660,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        body = RevocationListOutputSerializer(
            {
                "revocations": [
                    {"sub": sub, "revoked_before": before}
                    for sub, before in selectors.revocation_list()
                ],
                "window_seconds": int(selectors.revocation_window().total_seconds()),
            }
        ).data
        return Response(body, headers=NO_STORE)
