import uuid

import pytest

from common.testing import forged_tokens, user_token


def test_user_token_is_accepted(client):
    user_id = uuid.uuid4()
    response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {user_token(user_id, 'patient')}")
    assert response.status_code == 200
    assert response.json() == {"id": str(user_id), "role": "patient"}


@pytest.mark.parametrize("kind", list(forged_tokens(uuid.uuid4())))
def test_forged_tokens_are_refused(client, kind):
    token = forged_tokens(uuid.uuid4())[kind]
    response = client.get("/user-only", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401, (kind, response.content)
    assert response["Content-Type"] == "application/problem+json"
