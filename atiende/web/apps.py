from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "atiende.web"
