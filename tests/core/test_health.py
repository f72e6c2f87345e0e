"""/healthz (liveness, no database) and /readyz (database, migrations, broker)."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from atiende.celery import app
from atiende.core import views


@pytest.fixture
def broker_url():
    """Point the app at another broker for one test."""
    previous = app.conf.broker_url

    def use(url: str) -> None:
        app.conf.broker_url = url

    yield use
    app.conf.broker_url = previous


def test_it_answers_liveness_without_touching_the_database(client):
    response = client.get("/healthz")  # no db fixture: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_is_ready_with_database_migrations_and_broker(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "migrations": True,
        "broker": True,
    }


def test_it_is_not_ready_when_the_broker_is_unreachable(client, db, broker_url):
    broker_url("amqp://guest:guest@127.0.0.1:1//")

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "detail" not in body["checks"]["broker"]  # no internals unless DEBUG


def test_it_is_not_ready_with_migrations_pending(client, db, monkeypatch):
    monkeypatch.setattr(views, "_migrations_applied", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("x", False)],
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "error": "PendingMigrations",
        "ms": response.json()["checks"]["migrations"]["ms"],
    }


def test_it_is_not_ready_without_a_database(client, db, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setitem(views.READINESS_CHECKS, "database", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "OperationalError"
