"""`atiende token`: create prints a working token once; list; revoke."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from atiende.accounts.models import ApiToken
from atiende.accounts.services import authenticate_api_token


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_a_token_that_authenticates(agent):
    out, err = run("create", "ana", "--name", "integración", "--expires-days", "30")

    token = authenticate_api_token(out.strip())
    assert token is not None and token.user == agent
    assert token.name == "integración" and token.expires_at is not None
    assert "no se volverá a mostrar" in err
    assert out.strip() not in err


def test_it_lists_tokens_without_their_secret(agent):
    clear = run("create", "ana")[0].strip()

    out, _ = run("list", "ana")

    prefix = ApiToken.objects.get().prefix
    assert prefix in out and "activo" in out
    assert clear not in out


def test_it_revokes_a_token(agent):
    clear = run("create", "ana")[0].strip()
    prefix = ApiToken.objects.get().prefix

    run("revoke", prefix)

    assert authenticate_api_token(clear) is None
    assert "revocado" in run("list", "ana")[0]


def test_it_refuses_unknown_users_and_prefixes(db):
    with pytest.raises(CommandError, match="No existe el usuario"):
        run("create", "nadie")
    with pytest.raises(CommandError, match="No existe un token"):
        run("revoke", "abc")


def test_it_prints_a_token_the_api_accepts(agent, client):
    clear = run("create", "ana")[0].strip()

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {clear}")

    assert response.status_code == 200
    assert "ana" in response.content.decode()
    run("revoke", ApiToken.objects.get().prefix)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 401
