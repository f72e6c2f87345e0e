from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "atiende.channels"
    # Not "channels": that label belongs to Django Channels (WebSockets).
    label = "atiende_channels"
    verbose_name = _("Canales")
