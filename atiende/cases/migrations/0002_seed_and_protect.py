"""Ship the lifecycle, the folio series and the typology as data; protect the event table."""

from django.db import migrations

from atiende.core.append_only import protect_table

TRANSITIONS = {
    "new": ["open", "in_progress", "waiting_customer", "waiting_third_party", "escalated", "resolved", "closed"],
    "open": ["in_progress", "waiting_customer", "waiting_third_party", "escalated", "resolved"],
    "in_progress": ["open", "waiting_customer", "waiting_third_party", "escalated", "resolved"],
    "waiting_customer": ["open", "in_progress", "escalated", "resolved", "closed"],
    "waiting_third_party": ["open", "in_progress", "escalated", "resolved"],
    "escalated": ["in_progress", "waiting_customer", "waiting_third_party", "resolved"],
    "resolved": ["open", "in_progress", "closed"],
    "closed": [],
}

SERIES = [("general", "AT", ""), ("reclamos", "RECL", "complaint")]

# (code, name, case type or "", parent code or None)
TYPOLOGY = [
    ("informacion", "Información comercial", "information", None),
    ("informacion-precios", "Precios y disponibilidad", "information", "informacion"),
    ("informacion-proyecto", "Proyecto o producto", "information", "informacion"),
    ("informacion-estado", "Estado de un caso o pedido", "", "informacion"),
    ("pedido", "Pedidos", "order", None),
    ("pedido-nuevo", "Nuevo pedido", "order", "pedido"),
    ("pedido-entrega", "Entrega y envío", "order", "pedido"),
    ("pedido-pago", "Pagos y facturación", "", "pedido"),
    ("tecnico", "Soporte técnico", "", None),
    ("tecnico-asesoria", "Asesoría técnica", "technical_advice", "tecnico"),
    ("tecnico-falla", "Falla o defecto", "technical_requirement", "tecnico"),
    ("tecnico-garantia", "Garantía", "technical_requirement", "tecnico"),
    ("reclamo", "Reclamos", "complaint", None),
    ("reclamo-atencion", "Mala atención", "complaint", "reclamo"),
    ("reclamo-cobro", "Cobro indebido", "complaint", "reclamo"),
    ("reclamo-incumplimiento", "Incumplimiento de promesa", "complaint", "reclamo"),
    ("sugerencia", "Sugerencias y felicitaciones", "suggestion", None),
]


def seed(apps, schema_editor):
    StatusTransition = apps.get_model("cases", "StatusTransition")
    FolioSeries = apps.get_model("cases", "FolioSeries")
    Category = apps.get_model("cases", "Category")
    StatusTransition.objects.bulk_create(
        [StatusTransition(from_status=a, to_status=b) for a, targets in TRANSITIONS.items() for b in targets]
    )
    for code, prefix, case_type in SERIES:
        FolioSeries.objects.create(code=code, prefix=prefix, case_type=case_type)
    for position, (code, name, case_type, parent) in enumerate(TYPOLOGY):
        Category.objects.create(
            code=code, name=name, case_type=case_type, position=position,
            parent=Category.objects.get(code=parent) if parent else None,
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop), protect_table("cases_event")]
