from django.urls import path

from atiende.web import views, views_settings

urlpatterns = [
    path("", views.home, name="home"),
    path("bandeja/lista/", views.workbox_list, name="workbox_list"),
    path("bandeja/acciones/", views.workbox_bulk, name="workbox_bulk"),
    path("bandeja/filtros/", views.saved_filter_save, name="saved_filter_save"),
    path("bandeja/filtros/eliminar/", views.saved_filter_delete, name="saved_filter_delete"),
    path("configuracion/", views_settings.settings_home, name="settings"),
    path("configuracion/preferencias/", views_settings.preferences, name="preferences"),
]
