"""The OpenAPI document and its viewers: public, and served from this server only (no CDN)."""

from __future__ import annotations

from drf_spectacular.views import (
    SpectacularJSONAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularJSONAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class SwaggerView(SpectacularSwaggerView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class RedocView(SpectacularRedocView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
