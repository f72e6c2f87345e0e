"""What every API view shares: strict parsing, idempotent POSTs, the documented error shape."""

from __future__ import annotations

from typing import Any

from rest_framework import viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import User
from atiende.api.idempotency import IdempotentMixin
from atiende.api.parsers import JSONParser
from atiende.api.schema import ApiAutoSchema
from atiende.core.actors import Actor

#: URL patterns of the public keys: no NUL, no slash, nothing that is not a plausible key.
FOLIO_PATTERN = r"[A-Za-z0-9][A-Za-z0-9\-]{0,31}"
UUID_PATTERN = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
USERNAME_PATTERN = r"[\w.@+\-]{1,150}"
SLUG_PATTERN = r"[\w\-]{1,50}"


class ApiViewSet(IdempotentMixin, viewsets.GenericViewSet):
    schema = ApiAutoSchema()
    parser_classes = [JSONParser]

    def parse(self, input_class: type[Serializer], **context: Any) -> dict[str, Any]:
        """Validate the body with INPUT_CLASS; a bad body is a 400 of the one error shape."""
        serializer = input_class(
            data=self.request.data, context={"request": self.request, **context}
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def get_object(self) -> Any:
        """The object named in the URL, among those the user may see; no query-string filters."""
        lookup = {self.lookup_field: self.kwargs[self.lookup_field]}
        return get_object_or_404(self.get_queryset(), **lookup)

    @property
    def user(self) -> User:
        """The caller: always a ``User`` here, as ``IsAuthenticated`` guards every API view."""
        return signed_in_user(self.request)

    @property
    def actor(self) -> Actor:
        return Actor.api(self.request.user)

    def render(
        self, serializer_class: type[Serializer], instance: Any, status: int = 200, **context: Any
    ) -> Response:
        serializer = serializer_class(instance, context={"request": self.request, **context})
        return Response(serializer.data, status=status)

    def render_page(self, serializer_class: type[Serializer], queryset: Any) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            serializer_class(page, many=True, context={"request": self.request}).data
        )
