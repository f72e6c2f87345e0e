"""The form of the replies settings screen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atiende.accounts.models import Team, User
from atiende.replies.models import CannedResponse, ReplyKind


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = [
            "kind",
            "title",
            "body",
            "shortcut",
            "team",
            "set_status",
            "set_priority",
            "add_tags",
            "is_active",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        if not user.sees_whole_desk:
            team_field.queryset = Team.objects.filter(pk__in=user.teams.all())
        else:
            team_field.queryset = Team.objects.filter(is_active=True)
        team_field.empty_label = str(_("Compartida (todos los equipos)"))

    def clean(self) -> dict:
        data = super().clean() or {}
        has_actions = data.get("set_status") or data.get("set_priority") or data.get("add_tags")
        if has_actions and data.get("kind") != ReplyKind.MACRO:
            raise forms.ValidationError(
                _("Solo las macros cambian el caso; elija el tipo «Macro» o quite las acciones.")
            )
        return data
