"""Demo WhatsApp templates, in Spanish (and one in English), as a desk would have them approved.

Templates are configuration, not desk content: ``load_demo_templates`` creates or updates them
and erasing the demo leaves them in place. Call it from the demo loader.
"""

from __future__ import annotations

from atiende.channels.whatsapp.models import (
    TemplateCategory,
    TemplateLanguage,
    TemplateStatus,
    WhatsAppTemplate,
)

#: (name, language, category, status, body)
DEMO_TEMPLATES: list[tuple[str, str, str, str, str]] = [
    (
        "seguimiento_caso",
        TemplateLanguage.ES_MX,
        TemplateCategory.UTILITY,
        TemplateStatus.APPROVED,
        "Hola {{1}}, le escribimos sobre su caso {{2}}. ¿Podemos continuar por este medio? "
        "Responda a este mensaje y con gusto le atendemos.",
    ),
    (
        "seguimiento_caso",
        TemplateLanguage.EN_US,
        TemplateCategory.UTILITY,
        TemplateStatus.APPROVED,
        "Hello {{1}}, we are writing about your case {{2}}. May we continue here? "
        "Reply to this message and we will gladly help you.",
    ),
    (
        "solicitud_informacion",
        TemplateLanguage.ES_MX,
        TemplateCategory.UTILITY,
        TemplateStatus.APPROVED,
        "Hola {{1}}, para avanzar con su caso {{2}} necesitamos {{3}}. "
        "Puede enviarlo respondiendo a este mensaje.",
    ),
    (
        "caso_resuelto",
        TemplateLanguage.ES_MX,
        TemplateCategory.UTILITY,
        TemplateStatus.APPROVED,
        "Hola {{1}}, su caso {{2}} quedó resuelto. Si algo no quedó bien, responda a este "
        "mensaje y lo revisamos.",
    ),
    (
        "promocion_mantenimiento",
        TemplateLanguage.ES_MX,
        TemplateCategory.MARKETING,
        TemplateStatus.APPROVED,
        "Hola {{1}}, este mes el mantenimiento preventivo de su equipo tiene 15 % de descuento. "
        "Responda SÍ para agendar o BAJA para no recibir más promociones.",
    ),
    (
        "aviso_entrega",
        TemplateLanguage.ES_MX,
        TemplateCategory.UTILITY,
        TemplateStatus.PENDING,
        "Hola {{1}}, su pedido {{2}} llegará el {{3}}.",
    ),
]


def load_demo_templates() -> int:
    """Create or update the demo templates; return how many there are. Idempotent."""
    for name, language, category, status, body in DEMO_TEMPLATES:
        WhatsAppTemplate.objects.update_or_create(
            name=name,
            language=language,
            defaults={"category": category, "status": status, "body": body, "is_active": True},
        )
    return len(DEMO_TEMPLATES)
