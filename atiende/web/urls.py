from django.urls import path

from atiende.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("casos/<str:folio>/", views.case_detail, name="case"),
]
