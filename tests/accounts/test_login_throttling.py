"""Brute-force protection on the login form (django-axes): a username+IP pair is locked out."""

from django.urls import reverse


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(
    client, agent, settings
):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "ana", "password": "incorrecta"}).status_code == 200
    assert client.post(url, {"username": "ana", "password": "incorrecta"}).status_code == 429
    response = client.post(url, {"username": "ana", "password": "clave-segura-123"})
    assert response.status_code == 429
    assert "Acceso bloqueado" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_correct_login_gets_in(client, agent):
    response = client.post(reverse("login"), {"username": "ana", "password": "clave-segura-123"})
    assert response.status_code == 302
