"""Live push: committed case events, new notifications and agents' availability → the sockets.

``consume`` is the ``live_push`` consumer of the event dispatcher (``atiende.dispatch``): it runs
in whichever process runs the dispatch job (a Celery worker, or the web process when tasks run
eagerly) and, once its transaction has committed, sends one small message to the groups of the
case, its team and assignee (the previous ones too when they changed) and the desk. The browser
then re-fetches the fragments that show them; nothing private travels on the socket.

Pushing is best effort: a broken channel layer is logged and never fails the caller. Called from
a thread that runs an event loop (sync code inside async code, e.g. a test driving Playwright's
sync API), where ``async_to_sync`` refuses to run, the send runs in a short-lived thread instead.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connections, transaction
from django.urls import NoReverseMatch, reverse

from atiende.cases.models import Case, Event, Verb
from atiende.live import groups

logger = logging.getLogger(__name__)


def consume(event: Event) -> None:
    case = Case.objects.only("pk", "folio", "team_id", "assignee_id").get(pk=event.case_id)
    teams = [case.team_id]
    users = [case.assignee_id]
    if event.verb == Verb.TEAM_CHANGED:
        teams.append((event.before or {}).get("team"))
    elif event.verb == Verb.ASSIGNED:
        users.append((event.before or {}).get("assignee"))
    team_ids = sorted({pk for pk in teams if isinstance(pk, int)})
    user_ids = sorted({pk for pk in users if isinstance(pk, int)})
    message = {
        "type": "live.event",
        "id": event.pk,
        "kind": event.verb,
        "case": case.folio,
        "team": case.team_id,
        "user": case.assignee_id,
        "teams": team_ids,
        "users": user_ids,
    }
    names = [
        groups.case_group(case.pk),
        *(groups.team_group(pk) for pk in team_ids),
        *(groups.user_group(pk) for pk in user_ids),
        groups.DESK,
    ]
    transaction.on_commit(lambda: send(names, message))


def notifications_created(
    sender: Any = None, *, notifications: Iterable[Any], **kwargs: Any
) -> None:
    """Receiver of ``notifications.services.notifications_created`` (sent after commit)."""
    from atiende.notifications.services import unread_count

    for notification in notifications:
        try:
            unread = unread_count(notification.user)
            url = _notification_url(notification)
        except Exception:
            logger.warning("live: notification %s not pushed", notification.pk, exc_info=True)
            continue
        send(
            [groups.user_group(notification.user_id)],
            {
                "type": "live.notification",
                "id": notification.pk,
                "title": notification.title,
                "url": url,
                "unread": unread,
            },
        )


def availability_changed(sender: Any = None, *, user: Any, **kwargs: Any) -> None:
    """Receiver of ``accounts.services.availability_changed``: the boards of the user's teams."""
    team_ids = sorted(user.teams.values_list("pk", flat=True))
    message = {
        "type": "live.event",
        "kind": "availability_changed",
        "case": None,
        "team": None,
        "user": user.pk,
        "teams": team_ids,
        "users": [user.pk],
    }
    send([*(groups.team_group(pk) for pk in team_ids), groups.DESK], message)


def send(names: Iterable[str], message: dict[str, Any]) -> bool:
    """group_send MESSAGE to each group; False (and a log line) when the layer failed."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return False
        if _runs_event_loop():
            _send_in_thread(layer, list(names), message)
        else:
            async_to_sync(_group_send_all)(layer, list(names), message)
    except Exception:
        logger.warning("live: push of %s failed", message.get("type"), exc_info=True)
        return False
    return True


async def _group_send_all(layer: Any, names: list[str], message: dict[str, Any]) -> None:
    # One event loop for all groups (async_to_sync may start a loop per call).
    for name in names:
        await layer.group_send(name, message)


def _runs_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _send_in_thread(layer: Any, names: list[str], message: dict[str, Any]) -> None:
    """The send, in a thread of its own (no event loop there); its error, if any, raised here.

    The caller waits for it, as it would for ``async_to_sync``: it blocks this thread's loop for
    as long as the send takes, which sync code in async code does anyway.
    """
    errors: list[Exception] = []

    def run() -> None:
        try:
            async_to_sync(_group_send_all)(layer, names, message)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()  # the database layer opened this thread's own connections

    thread = threading.Thread(target=run, name="live-push", daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _notification_url(notification: Any) -> str:
    try:
        if notification.case_id:
            return reverse("web:case", args=[notification.case.folio])
        return reverse("web:notifications")
    except NoReverseMatch:
        return ""
