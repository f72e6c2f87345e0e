"""The channels app's admin pages live in each channel's package."""

from atiende.channels.whatsapp import admin as whatsapp_admin  # noqa: F401
