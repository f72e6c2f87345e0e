"""The supervisor console (UI4), under ``supervision/``; names live in the ``web`` namespace."""

from django.urls import path

from atiende.web import views_supervisor as views

urlpatterns = [
    path("", views.supervisor, name="supervisor"),
    path("tablero/", views.supervisor_board, name="supervisor_board"),
    path("reasignar/", views.supervisor_reassign, name="supervisor_reassign"),
    path("pantalla/", views.wallboard, name="wallboard"),
    path("pantalla/tablero/", views.wallboard_board, name="wallboard_board"),
    path("aprobaciones/", views.approvals_inbox, name="approvals"),
    path("aprobaciones/<uuid:uuid>/", views.approval_decide, name="approval_decide"),
    path("casos/<str:folio>/aprobacion/", views.approval_request, name="approval_request"),
    path("disponibilidad/", views.agent_availability, name="agent_availability"),
]
