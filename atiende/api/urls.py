"""REST API v1, at /api/v1/. URLs name things by folio, uuid, slug or username, never by pk."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from atiende.api.errors import not_found
from atiende.api.views.accounts import MeViewSet, TeamViewSet, UserViewSet
from atiende.api.views.cases import CaseViewSet
from atiende.api.views.customers import CustomerViewSet
from atiende.api.views.docs import RedocView, SchemaView, SwaggerView
from atiende.api.views.sla import CalendarViewSet, CaseServiceLevelViewSet, PolicyViewSet

app_name = "api"

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("customers", CustomerViewSet, basename="customer")
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("sla/calendars", CalendarViewSet, basename="sla-calendar")
router.register("sla/policies", PolicyViewSet, basename="sla-policy")
router.register("sla/cases", CaseServiceLevelViewSet, basename="sla-case")

urlpatterns = [
    path("openapi.json", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("me/", MeViewSet.as_view({"get": "retrieve"}), name="me"),
    *router.urls,
    # Last: anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"^(?P<path>.*)$", not_found),
]
