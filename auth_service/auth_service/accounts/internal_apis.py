"""Internal endpoints under /internal/v1/auth/ and /internal/v1/accounts/: service tokens only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from auth_service.accounts import schema, selectors
from auth_service.accounts.apis import NO_STORE
from auth_service.accounts.selectors import ACCOUNT_EMAIL_SEARCH_MAX_RESULTS, ACCOUNT_LIST_MAX_IDS
from auth_service.accounts.serializers import (
    AccountInternalOutputSerializer,
    AccountListInternalFilterInputSerializer,
    RevocationListOutputSerializer,
    StaffTokenInputSerializer,
    TokenPairOutputSerializer,
)
from auth_service.accounts.services import staff
from common.errors import ServiceUnavailable
from common.pagination import PageNumberPagination, paginated_response
from common.permissions import HasServiceScope
from common.revocations import REVOCATIONS_SCOPE
from common.schema import problem_for

SCOPE_STAFF_SIGN_IN = "staff:sign-in"
SCOPE_ACCOUNTS_READ = "accounts:read"


class StaffTokenInternalApi(APIView):
    """A staff member signs in to a service's admin: that service asks here for them."""

    permission_classes = [HasServiceScope]
    required_scopes = {SCOPE_STAFF_SIGN_IN}

    @extend_schema(
        tags=schema.INTERNAL_TAGS,
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
            **problem_for(
                ValidationError,
                schema.WRONG_STAFF_PASSWORD,
                PermissionDenied,
                schema.THROTTLED,
                ServiceUnavailable,
            ),
        },
        examples=schema.STAFF_SIGN_IN_EXAMPLES,
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
        tags=schema.INTERNAL_TAGS,
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
            **problem_for(
                schema.ACCOUNT_FILTER_INVALID, *schema.AUTHENTICATED, schema.NO_SUCH_PAGE
            ),
        },
        examples=[schema.INTERNAL_ACCOUNT_EXAMPLE],
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
        tags=schema.INTERNAL_TAGS,
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
            **problem_for(*schema.AUTHENTICATED),
        },
        examples=[schema.REVOCATIONS_EXAMPLE],
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
