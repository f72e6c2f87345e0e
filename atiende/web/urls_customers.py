"""Customer screens (CU1-CU7), under ``clientes/``."""

from django.urls import path

from atiende.web import views_customers as views

urlpatterns = [
    path("", views.customer_list, name="customers"),
    path("<int:pk>/", views.customer_detail, name="customer"),
    path("<int:pk>/panel/", views.customer_panel, name="customer_panel"),
    path("<int:pk>/fusionar/", views.customer_merge, name="customer_merge"),
    path("<int:pk>/consentimiento/", views.customer_consent, name="customer_consent"),
    path("<int:pk>/exportar/", views.customer_export, name="customer_export"),
    path("importar/", views.customer_import, name="customer_import"),
    path("importar/<uuid:job>/", views.customer_import_job, name="customer_import_job"),
    path(
        "importar/<uuid:job>/progreso/", views.customer_import_status, name="customer_import_status"
    ),
    path(
        "importar/<uuid:job>/rechazados.csv",
        views.customer_import_rejected,
        name="customer_import_rejected",
    ),
]
