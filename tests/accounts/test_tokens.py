from datetime import timedelta

from django.utils import timezone

from atiende.accounts.services import authenticate_api_token, create_api_token, revoke_api_token


def test_a_token_is_stored_hashed_and_authenticates(agent):
    token, clear = create_api_token(user=agent, name="integración CRM")
    assert clear.startswith(f"atk_{token.prefix}_")
    assert clear.split("_", 2)[2] not in token.key_hash
    assert authenticate_api_token(clear).user == agent


def test_a_wrong_secret_does_not_authenticate(agent):
    token, clear = create_api_token(user=agent, name="x")
    assert authenticate_api_token(clear[:-2] + "zz") is None
    assert authenticate_api_token("basura") is None


def test_revoked_and_expired_tokens_do_not_authenticate(agent):
    token, clear = create_api_token(user=agent, name="x")
    revoke_api_token(token=token)
    assert authenticate_api_token(clear) is None
    token, clear = create_api_token(user=agent, name="y", expires_in_days=1)
    token.__class__.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert authenticate_api_token(clear) is None


def test_an_inactive_user_cannot_use_a_token(agent):
    _, clear = create_api_token(user=agent, name="x")
    agent.is_active = False
    agent.save()
    assert authenticate_api_token(clear) is None
