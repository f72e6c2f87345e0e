from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "atiende.api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the OpenAPI extension of the bearer scheme.
        from atiende.api import authentication  # noqa: F401
