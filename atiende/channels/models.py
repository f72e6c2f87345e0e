"""The channels app's models live in each channel's package; Django finds them through here."""

from atiende.channels.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMessage

__all__ = ["WhatsAppTemplate", "WhatsAppTemplateMessage"]
