from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.cases.models import CaseType

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Adjunte como máximo %(n)s archivos.") % {"n": MAX_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=200)
    email = forms.EmailField(label=_("Correo electrónico"))
    phone = forms.CharField(label=_("Teléfono"), max_length=40, required=False)
    case_type = forms.ChoiceField(
        label=_("Tipo de solicitud"), choices=CaseType.choices, initial=CaseType.INFORMATION
    )
    message = forms.CharField(label=_("Mensaje"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Archivos (opcional)"), required=False)
    #: The honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(label=_("Sitio web"), required=False)
    #: One per page load: sending the same page twice is one request, not two.
    token = forms.UUIDField(widget=forms.HiddenInput)
