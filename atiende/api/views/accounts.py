"""Users and teams, read-only, scoped by the accounts selectors; and who am I."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from atiende.accounts.models import Team, User
from atiende.accounts.selectors import teams_visible_to, users_visible_to
from atiende.api.pagination import SlugPagination, UsernamePagination
from atiende.api.serializers.accounts import MeSerializer, TeamSerializer, UserSerializer
from atiende.api.views.base import SLUG_PATTERN, USERNAME_PATTERN, ApiViewSet


@extend_schema(tags=["users"])
class UserViewSet(ApiViewSet):
    """Active users: everyone for desk-wide roles, the members of one's teams otherwise."""

    lookup_field = "username"
    lookup_value_regex = USERNAME_PATTERN
    pagination_class = UsernamePagination
    serializer_class = UserSerializer

    def get_queryset(self) -> QuerySet[User]:
        return users_visible_to(self.user)

    @extend_schema(summary="List users")
    def list(self, request: Request) -> Response:
        return self.render_page(UserSerializer, self.get_queryset())

    @extend_schema(summary="Get a user")
    def retrieve(self, request: Request, username: str) -> Response:
        return self.render(UserSerializer, self.get_object())


@extend_schema(tags=["teams"])
class TeamViewSet(ApiViewSet):
    """Teams: all of them for desk-wide roles, one's own otherwise."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = SlugPagination
    serializer_class = TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        return teams_visible_to(self.user).select_related("lead")

    @extend_schema(summary="List teams")
    def list(self, request: Request) -> Response:
        return self.render_page(TeamSerializer, self.get_queryset())

    @extend_schema(summary="Get a team")
    def retrieve(self, request: Request, slug: str) -> Response:
        return self.render(TeamSerializer, self.get_object())


@extend_schema(tags=["users"])
class MeViewSet(ApiViewSet):
    """Who the caller is, with their teams and what they may see."""

    serializer_class = MeSerializer

    @extend_schema(summary="The authenticated user", responses=MeSerializer)
    def retrieve(self, request: Request) -> Response:
        return self.render(MeSerializer, request.user)
