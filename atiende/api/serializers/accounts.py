"""Users and teams (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from atiende.accounts.models import Team, User


class TeamSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="The team's address, or empty.")
    lead: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Team
        fields = ("slug", "name", "email", "lead", "is_active")
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True, help_text="E-mail address, or empty.")
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    teams = serializers.ManyRelatedField(  # what SlugRelatedField(many=True) builds
        child_relation=serializers.SlugRelatedField(slug_field="slug", read_only=True),
        read_only=True,
    )

    class Meta:
        model = User
        fields: tuple[str, ...] = (
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "role",
            "role_display",
            "teams",
            "language",
            "timezone",
            "is_active",
        )
        read_only_fields: tuple[str, ...] = fields


class MeSerializer(UserSerializer):
    sees_whole_desk = serializers.BooleanField(read_only=True)
    escalation_level = serializers.IntegerField(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "sees_whole_desk", "escalation_level")
        read_only_fields = fields
