from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from atiende.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("contacto/", include("atiende.portal.urls")),
    path("", include("atiende.web.urls")),
    path("buscar/", include("atiende.search.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("atiende.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
