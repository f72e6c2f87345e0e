from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "atiende.core"
    verbose_name = "Atiende"
