"""Service levels: calendars, policies with their targets, simulations and case clocks."""

from __future__ import annotations

from rest_framework import serializers

from atiende.accounts.models import Team
from atiende.api.fields import StrictSerializer
from atiende.cases.models import CaseType, Channel, Priority
from atiende.customers.models import Segment
from atiende.sla.models import Calendar, ClockState, Policy, Target, TargetKind

#: Ten years: more is a typo, and it keeps the value inside the database column.
MAX_TARGET_SECONDS = 10 * 365 * 24 * 3600

RANGE_HELP = '"HH:MM-HH:MM"; "24:00" ends at midnight; "22:00-06:00+1" runs past midnight.'


def ranges_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=12, help_text=RANGE_HELP, **kwargs
    )


# --- output --------------------------------------------------------------------------------------


class SpecialDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()
    hours = serializers.ListField(child=serializers.CharField(), help_text="Empty: closed.")


class CalendarSerializer(serializers.ModelSerializer):
    weekly_hours = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Weekday ("0" Monday … "6" Sunday) → ranges.',
    )
    special_days = SpecialDaySerializer(many=True, read_only=True)

    class Meta:
        model = Calendar
        fields = (
            "slug",
            "name",
            "timezone",
            "weekly_hours",
            "holiday_country",
            "holiday_subdivision",
            "special_days",
            "is_active",
        )
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    handoff_team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    reassign_team: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Target
        fields = (
            "kind",
            "seconds",
            "business_time",
            "handoff_team",
            "raise_priority",
            "escalate_to",
            "reassign_team",
        )
        read_only_fields = fields


class PolicySerializer(serializers.ModelSerializer):
    calendar: serializers.SlugRelatedField[Calendar] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    teams = serializers.ManyRelatedField(  # what SlugRelatedField(many=True) builds
        child_relation=serializers.SlugRelatedField(slug_field="slug", read_only=True),
        read_only=True,
    )
    channels = serializers.ListField(child=serializers.CharField(), read_only=True)
    case_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    priorities = serializers.ListField(child=serializers.CharField(), read_only=True)
    segments = serializers.ListField(child=serializers.CharField(), read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Policy
        fields = (
            "slug",
            "name",
            "position",
            "is_active",
            "calendar",
            "channels",
            "case_types",
            "priorities",
            "segments",
            "teams",
            "warn_percent",
            "targets",
        )
        read_only_fields = fields


class SimulatedTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(TargetKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    cases = serializers.IntegerField()
    met = serializers.IntegerField()
    breached = serializers.IntegerField()
    open_on_time = serializers.IntegerField()
    open_late = serializers.IntegerField()
    met_percent = serializers.FloatField(allow_null=True)
    average_late_s = serializers.IntegerField()
    worst_late_s = serializers.IntegerField()
    breached_now = serializers.IntegerField(help_text="Breached under the policy really applied.")


class SimulationSerializer(serializers.Serializer):
    policy = serializers.CharField()
    calendar = serializers.CharField()
    days = serializers.IntegerField()
    cases = serializers.IntegerField()
    targets = SimulatedTargetSerializer(many=True)


class ClockExplanationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(TargetKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField(help_text='"2 h hábiles", "48 h", "el mismo día hábil".')
    state = serializers.ChoiceField(ClockState.choices)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    warn_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    pauses = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_null=True)),
        help_text='[{"from": instant, "to": instant or null}]',
    )
    due_local = serializers.CharField(help_text="The due time in the calendar's zone, in words.")
    explanation = serializers.ListField(child=serializers.CharField())


class MatchedPolicySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    matched_because = serializers.ListField(child=serializers.CharField())


class UsedCalendarSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    timezone = serializers.CharField()
    holiday_country = serializers.CharField()
    hours = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class CaseServiceLevelSerializer(serializers.Serializer):
    policy = MatchedPolicySerializer(allow_null=True)
    calendar = UsedCalendarSerializer(allow_null=True)
    promise_at = serializers.DateTimeField(allow_null=True)
    promise_from_policy = serializers.BooleanField()
    clocks = ClockExplanationSerializer(many=True)


# --- input ---------------------------------------------------------------------------------------


class SpecialDayInput(StrictSerializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    hours = ranges_field(required=False, default=list)


class CalendarInput(StrictSerializer):
    name = serializers.CharField(max_length=120)
    timezone = serializers.CharField(max_length=64, help_text="IANA, e.g. America/Mexico_City.")
    weekly_hours = serializers.DictField(
        child=ranges_field(), help_text='Weekday ("0" Monday … "6" Sunday) → ranges.'
    )
    holiday_country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default=""
    )
    holiday_subdivision = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    special_days = SpecialDayInput(many=True, required=False, default=list, max_length=1000)  # type: ignore[call-arg]
    is_active = serializers.BooleanField(required=False, default=True)


def team_slug(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True, **kwargs
    )


class TargetInput(StrictSerializer):
    kind = serializers.ChoiceField(TargetKind.choices)
    seconds = serializers.IntegerField(
        required=False,
        allow_null=True,
        max_value=MAX_TARGET_SECONDS,
        min_value=-MAX_TARGET_SECONDS,
        help_text="Greater than 0; none for registration (the same business day).",
    )
    business_time = serializers.BooleanField(required=False, default=True)
    handoff_team = team_slug(help_text="Hand-off: met when the case moves to this team.")
    raise_priority = serializers.BooleanField(required=False, default=False)
    escalate_to = serializers.ChoiceField([0, 2, 3], required=False, default=0)
    reassign_team = team_slug()


def choices_list(choices) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices), required=False, default=list, max_length=50
    )


class PolicyInput(StrictSerializer):
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=100_000, default=100)
    is_active = serializers.BooleanField(required=False, default=True)
    calendar = serializers.SlugRelatedField(slug_field="slug", queryset=Calendar.objects.all())
    channels = choices_list(Channel.choices)
    case_types = choices_list(CaseType.choices)
    priorities = choices_list(Priority.choices)
    segments = choices_list(Segment.choices)
    teams = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), many=True, required=False, default=list
    )
    warn_percent = serializers.IntegerField(min_value=1, max_value=99, default=75)
    targets = TargetInput(many=True, max_length=10)  # type: ignore[call-arg]


class SimulateInput(StrictSerializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)
    calendar = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Calendar.objects.all(),
        required=False,
        allow_null=True,
        help_text="A (draft) calendar to use instead of the policy's own.",
    )
