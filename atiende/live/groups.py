"""Names of the channel-layer groups that live messages travel in.

A socket joins ``user.<id>`` (its user), ``team.<id>`` (each of the user's teams), ``desk`` (only
users who see the whole desk) and ``case.<id>`` for each case page it shows, once the permission
filter allowed it. Ids are primary keys: groups never leave the server.
"""

from __future__ import annotations

DESK = "desk"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def case_group(case_id: int) -> str:
    return f"case.{case_id}"
