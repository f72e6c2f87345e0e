from django.urls import path

from atiende.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.contact, name="contact"),
    path("recibido/<uuid:envelope>/", views.contact_done, name="contact_done"),
]
