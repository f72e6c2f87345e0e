"""Atiende: an omnichannel customer-service desk."""

from atiende.celery import app as celery_app

__all__ = ["celery_app"]
