"""Notifying people: rows now, e-mails from a job after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from atiende.accounts.models import User
from atiende.cases.models import Case
from atiende.core.tasks import enqueue_on_commit
from atiende.notifications.models import EmailState, Notification

SEND_EMAILS_TASK = "outbound.send_notification_emails"
#: Sent after commit with ``notifications`` (the new rows); atiende.live pushes them to browsers.
notifications_created = Signal()

logger = logging.getLogger(__name__)


def notify(
    users: Iterable[User], *, kind: str, title: str, body: str = "", case: Case | None = None
) -> list[Notification]:
    """One notification per distinct active user; those with an address also get an e-mail."""
    unique = {u.pk: u for u in users if u.is_active}
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                case=case,
                kind=kind,
                title=title[:200],
                body=body,
                created_at=now,
                email_state=EmailState.QUEUED if user.email else EmailState.NONE,
                email_changed_at=now,
            )
            for user in unique.values()
        ]
    )
    mailed = [n.pk for n in rows if n.email_state == EmailState.QUEUED]
    if mailed:
        enqueue_on_commit(SEND_EMAILS_TASK, mailed)
    if rows:
        transaction.on_commit(lambda: notifications_created.send(Notification, notifications=rows))
    return rows


def send_notification_emails(ids: list[int]) -> int:
    """Send the e-mails of notifications still queued; returns how many were sent now.

    Each row is claimed with a conditional UPDATE before sending and the mail goes out outside
    any transaction, so two deliveries of the same job send each e-mail once.
    """
    sent = 0
    for pk in ids:
        claimed = Notification.objects.filter(pk=pk, email_state=EmailState.QUEUED).update(
            email_state=EmailState.SENDING, email_changed_at=timezone.now()
        )
        if not claimed:
            continue
        notification = Notification.objects.select_related("user", "case").get(pk=pk)
        link = f"{settings.SITE_URL}/casos/{notification.case.folio}/" if notification.case else ""
        try:
            send_mail(
                notification.title,
                "\n\n".join(p for p in (notification.body, link) if p),
                None,
                [notification.user.email],
            )
        except Exception:
            logger.exception("Notification e-mail %s failed", pk)
            state = EmailState.FAILED
        else:
            state, sent = EmailState.SENT, sent + 1
        Notification.objects.filter(pk=pk).update(
            email_state=state, email_changed_at=timezone.now()
        )
    return sent


def sweep_notification_emails(*, stuck_before: datetime) -> int:
    """Re-enqueue e-mails whose job was lost (queued) or whose worker died mid-send (sending)."""
    stuck = Notification.objects.filter(
        email_state__in=[EmailState.QUEUED, EmailState.SENDING], email_changed_at__lt=stuck_before
    )
    ids = list(stuck.values_list("pk", flat=True)[:500])
    if not ids:
        return 0
    with transaction.atomic():
        Notification.objects.filter(pk__in=ids).update(
            email_state=EmailState.QUEUED, email_changed_at=timezone.now()
        )
        enqueue_on_commit(SEND_EMAILS_TASK, ids)
    return len(ids)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
