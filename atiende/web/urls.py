from django.urls import include, path

from atiende.web import views_sla

app_name = "web"
urlpatterns = [
    path("niveles-de-servicio/", views_sla.sla_home, name="sla"),
    path("niveles-de-servicio/calendarios/nuevo/", views_sla.calendar_edit, name="calendar_new"),
    path("niveles-de-servicio/calendarios/<slug:slug>/", views_sla.calendar_edit, name="calendar"),
    path("niveles-de-servicio/politicas/nueva/", views_sla.policy_edit, name="policy_new"),
    path("niveles-de-servicio/politicas/<slug:slug>/", views_sla.policy_edit, name="policy"),
    path("avisos/", views_sla.notifications, name="notifications"),
    path("avisos/leidos/", views_sla.notifications_read, name="notifications_read"),
    path("avisos/sin-leer/", views_sla.notifications_unread, name="notifications_unread"),
    # Each area of the console keeps its own URL module.
    path("", include("atiende.web.urls_workbox")),
    path("", include("atiende.web.urls_case")),
    path("clientes/", include("atiende.web.urls_customers")),
    path("supervision/", include("atiende.web.urls_supervisor")),
]
