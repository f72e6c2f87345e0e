"""Ship the service levels of the source documents as data (SL2): two calendars and the policies.

[S4] chat < 60 s / < 10 min, phone < 30 s wait, WhatsApp < 5 min / < 30 min, e-mail < 2 / < 24
business hours; [S1] registration the same day, initial response ≤ 4 business hours, technical
requests handed to engineering in < 24 h; [S2] WhatsApp answered within 48 h at worst.
Existing rows (by slug) are left alone, so editing a default survives a re-run.
"""

from django.db import migrations

OFFICE = {str(d): ["09:00-18:00"] for d in range(5)}
ALWAYS = {str(d): ["00:00-24:00"] for d in range(7)}

CALENDARS = [
    ("oficina-mexico", "Horario de oficina (Ciudad de México)", OFFICE, "MX"),
    ("siempre-abierto", "Siempre abierto (24/7)", ALWAYS, ""),
]

MIN, HOUR = 60, 3600

# (slug, name, position, calendar, conditions, [(kind, seconds, business, escalate, raise)])
POLICIES = [
    ("tecnico", "Requerimientos técnicos (traspaso a Ingeniería)", 5, "oficina-mexico",
     {"case_types": ["technical_requirement"]},
     [("registration", None, True, 0, False), ("first_response", 4 * HOUR, True, 0, False),
      ("handoff", 24 * HOUR, False, 2, False)]),
    ("chat", "Chat en vivo", 10, "oficina-mexico", {"channels": ["webchat"]},
     [("first_response", 60, True, 0, False), ("resolution", 10 * MIN, True, 2, False)]),
    ("telefono", "Teléfono", 20, "oficina-mexico", {"channels": ["phone"]},
     [("first_response", 30, True, 0, False)]),
    ("whatsapp", "WhatsApp", 30, "oficina-mexico", {"channels": ["whatsapp"]},
     [("registration", None, True, 0, False), ("first_response", 5 * MIN, True, 0, False),
      ("next_response", 48 * HOUR, False, 0, False), ("resolution", 30 * MIN, True, 2, False)]),
    ("correo", "Correo electrónico y formulario web", 40, "oficina-mexico",
     {"channels": ["email", "webform"]},
     [("registration", None, True, 0, False), ("first_response", 2 * HOUR, True, 0, False),
      ("resolution", 24 * HOUR, True, 2, True)]),
    ("general", "General", 100, "oficina-mexico", {},
     [("registration", None, True, 0, False), ("first_response", 4 * HOUR, True, 0, True)]),
]  # fmt: skip


def seed(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    Policy = apps.get_model("sla", "Policy")
    Target = apps.get_model("sla", "Target")
    calendars = {}
    for slug, name, hours, country in CALENDARS:
        calendars[slug], _ = Calendar.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "timezone": "America/Mexico_City",
                "weekly_hours": hours,
                "holiday_country": country,
            },
        )
    for slug, name, position, calendar, conditions, targets in POLICIES:
        policy, created = Policy.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "position": position, "calendar": calendars[calendar], **conditions},
        )
        if not created:
            continue
        for kind, seconds, business, escalate, raise_priority in targets:
            Target.objects.create(
                policy=policy,
                kind=kind,
                seconds=seconds,
                business_time=business,
                escalate_to=escalate,
                raise_priority=raise_priority,
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
