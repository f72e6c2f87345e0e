"""The settings area (UI5, issue 6 item 9): one page listing every configuration screen the desk
has, grouped, each shown only to who may use it, and the user's own preferences.

Configuration screens of other areas join by adding an ``Entry`` to ``ENTRIES`` (a URL name
that does not resolve is left out, so an entry may name a screen that is not built yet) and,
to show the same sidebar, by extending ``web/settings/base.html``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.accounts.auth import signed_in_user
from atiende.accounts.models import User
from atiende.sla.permissions import can_view_configuration


def _is_staff(user: Any) -> bool:
    """Django's admin opens only to staff."""
    return bool(user.is_staff or user.is_superuser)


def _supervises(user: Any) -> bool:
    """The screens of who supervises (``User.supervises``); being staff does not count, as
    those screens refuse staff agents: the settings never link to a page that answers 403."""
    return bool(user.supervises)


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class Entry:
    group: Any
    title: Any
    description: Any
    url_name: str
    allowed: Callable[[Any], bool]


GROUP_PERSONAL = gettext_lazy("Personal")
GROUP_SERVICE = gettext_lazy("Atención")
GROUP_CHANNELS = gettext_lazy("Canales y clientes")
GROUP_PEOPLE = gettext_lazy("Equipos y usuarios")
GROUP_CASES = gettext_lazy("Casos")

ENTRIES: list[Entry] = [
    Entry(
        GROUP_PERSONAL,
        gettext_lazy("Mis preferencias"),
        gettext_lazy("Idioma y zona horaria con que ve la consola."),
        "web:preferences",
        _everyone,
    ),
    Entry(
        GROUP_PERSONAL,
        gettext_lazy("Avisos"),
        gettext_lazy("Sus avisos de plazos, menciones y asignaciones."),
        "web:notifications",
        _everyone,
    ),
    Entry(
        GROUP_SERVICE,
        gettext_lazy("Niveles de servicio"),
        gettext_lazy("Calendarios laborales, políticas, objetivos y simulador."),
        "web:sla",
        can_view_configuration,
    ),
    Entry(
        GROUP_SERVICE,
        gettext_lazy("Respuestas y macros"),
        gettext_lazy("Respuestas predefinidas, macros y guiones de atención."),
        "web:replies",
        _supervises,
    ),
    Entry(
        GROUP_CHANNELS,
        gettext_lazy("Plantillas de WhatsApp"),
        gettext_lazy(
            "Plantillas aprobadas para escribir fuera de la ventana de 24 horas (administración)."
        ),
        "admin:atiende_channels_whatsapptemplate_changelist",
        _is_staff,
    ),
    Entry(
        GROUP_CHANNELS,
        gettext_lazy("Importar clientes"),
        gettext_lazy("Carga de clientes desde CSV o XLSX, con reporte de filas rechazadas."),
        "web:customer_import",
        _supervises,
    ),
    Entry(
        GROUP_CHANNELS,
        gettext_lazy("Buzones de correo"),
        gettext_lazy("Cuentas de correo de las que entran casos (administración)."),
        "admin:intake_mailbox_changelist",
        _is_staff,
    ),
    Entry(
        GROUP_PEOPLE,
        gettext_lazy("Equipos"),
        gettext_lazy("Equipos, sus líderes y correos (administración)."),
        "admin:accounts_team_changelist",
        _is_staff,
    ),
    Entry(
        GROUP_PEOPLE,
        gettext_lazy("Usuarios"),
        gettext_lazy("Personas, roles y equipos (administración)."),
        "admin:accounts_user_changelist",
        _is_staff,
    ),
    Entry(
        GROUP_CASES,
        gettext_lazy("Categorías"),
        gettext_lazy("La tipología de casos (administración)."),
        "admin:cases_category_changelist",
        _is_staff,
    ),
    Entry(
        GROUP_CASES,
        gettext_lazy("Ciclo de vida"),
        gettext_lazy("Transiciones de estado permitidas (administración)."),
        "admin:cases_statustransition_changelist",
        _is_staff,
    ),
    Entry(
        GROUP_CASES,
        gettext_lazy("Series de folios"),
        gettext_lazy("Prefijos y numeración de los folios (administración)."),
        "admin:cases_folioseries_changelist",
        _is_staff,
    ),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def settings_sections(user: User) -> list[dict[str, Any]]:
    """The groups of entries USER may open, each entry with its resolved URL."""
    sections: dict[str, dict[str, Any]] = {}
    for entry in ENTRIES:
        url = _url(entry.url_name)
        if url is None or not entry.allowed(user):
            continue
        section = sections.setdefault(str(entry.group), {"title": entry.group, "entries": []})
        section["entries"].append(
            {
                "title": entry.title,
                "description": entry.description,
                "url": url,
                "name": entry.url_name,
                "is_admin": entry.url_name.startswith("admin:"),
            }
        )
    return list(sections.values())


@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "web/settings/home.html",
        {"sections": settings_sections(user)},
    )


# --- preferences ---------------------------------------------------------------------------------


@cache
def _zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z]


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(label=gettext_lazy("Idioma"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(
        label=gettext_lazy("Zona horaria"),
        required=False,
        help_text=gettext_lazy("Vacío: la del escritorio."),
    )

    class Meta:
        model = User
        fields = ["language", "timezone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        desk = gettext_lazy("La del escritorio (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["timezone"].choices = [("", desk), *_zone_choices()]  # type: ignore[attr-defined]


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's language and time zone; the language also takes effect at once (cookie)."""
    user = signed_in_user(request)
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(user.language)
        messages.success(request, _("Preferencias guardadas."))
        response = redirect("web:preferences")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    return render(request, "web/settings/preferences.html", {"form": form})
