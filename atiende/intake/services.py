"""The intake pipeline's state changes: receive (raw first), process, retry, dead-letter.

``receive_envelope`` commits the raw payload and returns; the channel adapter acknowledges the
sender only after that (CH11). ``process_envelope`` is the job body: idempotent, safe to run twice
or concurrently, and every failure is either retried (the job's back-off) or, after
``ATIENDE_INTAKE_MAX_ATTEMPTS``, shown as a dead letter that an administrator can reprocess.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.tasks import enqueue, enqueue_on_commit
from atiende.dispatch import import_path
from atiende.intake.models import EnvelopeStatus, InboundEnvelope, Outcome
from atiende.intake.normalise import NORMALISERS, NormalisedMessage
from atiende.jobs.errors import TransientError

logger = logging.getLogger(__name__)

PROCESS_TASK = "inbound.process_envelope"


class EnvelopeRetry(TransientError):
    """Processing failed; the job tries again later (the envelope stays ``received``)."""


class IntakeError(Exception):
    code = "intake_error"


def _in_transaction() -> bool:
    """True inside ``atomic()``; the test runner's own wrapping transaction does not count."""
    blocks = transaction.get_connection().atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


# --- receiving -----------------------------------------------------------------------------------


def receive_envelope(
    *,
    channel: str,
    account: str,
    raw: bytes,
    external_id: str = "",
    source: str = "",
    received_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
    sender: str = "",
    enqueue_processing: bool = True,
) -> tuple[InboundEnvelope, bool]:
    """Store RAW durably and return ``(envelope, created)``; acknowledge the sender after this.

    A payload already stored under the same (channel, account, external id) is not stored again:
    its envelope is returned with ``created`` False. Without an external id the content's hash is
    the id, so a byte-identical redelivery is a duplicate too. Payloads larger than
    ``ATIENDE_INTAKE_INLINE_MAX_BYTES`` go to file storage, the rest in the row.
    """
    if _in_transaction():
        raise RuntimeError("receive_envelope must commit on its own: call it outside atomic()")
    digest = hashlib.sha256(raw).hexdigest()
    key = {
        "channel": channel,
        "account": account.strip().lower()[:255],
        "external_id": (external_id.strip() or f"sha256:{digest}")[:255],
    }
    envelope = InboundEnvelope(
        **key,
        source=source,
        sender=sender.strip().lower()[:255],
        size=len(raw),
        sha256=digest,
        received_at=received_at or timezone.now(),
        metadata=metadata or {},
    )
    big = len(raw) > settings.ATIENDE_INTAKE_INLINE_MAX_BYTES
    if big:
        envelope.raw_file.save(f"{envelope.uuid}.raw", ContentFile(raw), save=False)
    else:
        envelope.raw = raw
    try:
        with transaction.atomic():
            envelope.save()
            if enqueue_processing:
                # robust: the envelope is committed whatever the broker says; a job that could not
                # be enqueued is the sweep's to find, the sender must still get its "stored".
                pk = envelope.pk
                transaction.on_commit(lambda: enqueue(PROCESS_TASK, pk), robust=True)
    except IntegrityError:
        if big:
            envelope.raw_file.delete(save=False)
        existing = InboundEnvelope.objects.filter(**key).first()
        if existing is None:
            raise
        return existing, False
    return envelope, True


# --- processing ----------------------------------------------------------------------------------


def normalise(envelope: InboundEnvelope) -> NormalisedMessage:
    path = NORMALISERS.get(envelope.channel)
    if path is None:
        raise IntakeError(f"no normaliser for channel {envelope.channel!r}")
    return import_path(path)(envelope.read_raw())


def process_envelope(envelope_id: int) -> InboundEnvelope | None:
    """Process one envelope once; None when there is nothing to do (done, or not ours now).

    The attempt is counted and committed first, so a payload that kills its worker every time
    still reaches the dead-letter view. Processing runs in one transaction holding the
    envelope's row lock: a worker killed mid-way leaves no trace but the attempt, and the job's
    redelivery (or the sweep) processes the envelope again. A concurrent second job waits for the
    lock, then finds the envelope processed.
    """
    from atiende.intake.pipeline import apply

    counted = InboundEnvelope.objects.filter(pk=envelope_id, status=EnvelopeStatus.RECEIVED).update(
        attempts=F("attempts") + 1, status_changed_at=timezone.now()
    )
    if not counted:
        return None
    try:
        envelope = InboundEnvelope.objects.get(pk=envelope_id)
        if envelope.attempts > settings.ATIENDE_INTAKE_MAX_ATTEMPTS:
            return _dead_letter(envelope_id, _("El procesamiento se interrumpió demasiadas veces."))
        normalised = normalise(envelope)
        with transaction.atomic():
            locked = (
                InboundEnvelope.objects.select_for_update()
                .filter(pk=envelope_id, status=EnvelopeStatus.RECEIVED)
                .values_list("pk", flat=True)
            )
            if not locked:
                return None
            apply(envelope, normalised)
        return envelope
    except Exception as exc:
        return _record_failure(envelope_id, exc)


def _record_failure(envelope_id: int, exc: Exception) -> InboundEnvelope:
    """Keep the error on the envelope; retry (raise EnvelopeRetry) or dead-letter it."""
    logger.warning("Intake of envelope %s failed: %r", envelope_id, exc, exc_info=exc)
    detail = f"{type(exc).__name__}: {exc}"[:2000]
    trace = "".join(traceback.format_exception(exc))[-8000:]
    with transaction.atomic():
        envelope = InboundEnvelope.objects.select_for_update().get(pk=envelope_id)
        if envelope.status != EnvelopeStatus.RECEIVED:
            return envelope
        envelope.error = f"{detail}\n\n{trace}"
        envelope.save(update_fields=["error"])
    if envelope.attempts < settings.ATIENDE_INTAKE_MAX_ATTEMPTS:
        raise EnvelopeRetry(detail) from exc
    reason = _("Falló %(n)s veces: %(e)s") % {"n": envelope.attempts, "e": detail}
    return _dead_letter(envelope_id, reason)


def _dead_letter(envelope_id: int, reason: str) -> InboundEnvelope:
    with transaction.atomic():
        envelope = InboundEnvelope.objects.select_for_update().get(pk=envelope_id)
        if envelope.status == EnvelopeStatus.RECEIVED:
            finish(envelope, EnvelopeStatus.DEAD_LETTER, Outcome.DEAD_LETTER, reason=reason)
    return envelope


def finish(
    envelope: InboundEnvelope, status: str, outcome: str, *, reason: str = "", **fields: Any
) -> InboundEnvelope:
    """Record how the envelope ended (inside the processing transaction)."""
    now = timezone.now()
    envelope.status, envelope.outcome, envelope.reason = status, outcome, reason[:2000]
    envelope.status_changed_at = now
    envelope.processed_at = now if status != EnvelopeStatus.DEAD_LETTER else None
    for name, value in fields.items():
        setattr(envelope, name, value)
    # Never the raw payload again: it is written once, on receipt.
    envelope.save(update_fields=[*FINISH_FIELDS, *fields])
    return envelope


FINISH_FIELDS = (
    "status",
    "outcome",
    "reason",
    "status_changed_at",
    "processed_at",
    "sender",
    "metadata",
)


def process_now(envelope: InboundEnvelope) -> InboundEnvelope:
    """Process in this process (the MTA pipe, the web form): the sender sees the outcome at once.

    A failure that will be retried leaves the envelope to the job (enqueued here, with the job's
    back-off from then on); the caller reports it as ``queued``.
    """
    try:
        result = process_envelope(envelope.pk)
    except EnvelopeRetry:
        try:
            enqueue(PROCESS_TASK, envelope.pk)
        except Exception:  # the broker is down: the sweep enqueues it later
            logger.exception("Could not enqueue envelope %s; the sweep will", envelope.pk)
        result = None
    return result or InboundEnvelope.objects.get(pk=envelope.pk)


# --- administrators: dead letters and reprocessing -----------------------------------------------


def dead_letters() -> QuerySet[InboundEnvelope]:
    return InboundEnvelope.objects.filter(status=EnvelopeStatus.DEAD_LETTER).order_by("received_at")


@transaction.atomic
def reprocess_envelope(*, envelope: InboundEnvelope) -> bool:
    """Put a dead-lettered (or rejected) envelope back in the pipeline, after a fix.

    Conditional UPDATE: two administrators clicking at once enqueue it once. False if it was not
    in a state that can be reprocessed.
    """
    reset = InboundEnvelope.objects.filter(
        pk=envelope.pk, status__in=[EnvelopeStatus.DEAD_LETTER, EnvelopeStatus.REJECTED]
    ).update(
        status=EnvelopeStatus.RECEIVED,
        outcome="",
        reason="",
        attempts=0,
        status_changed_at=timezone.now(),
        processed_at=None,
    )
    if reset:
        enqueue_on_commit(PROCESS_TASK, envelope.pk)
    return bool(reset)


def sweep_envelopes(*, stuck_before: datetime, limit: int = 500) -> int:
    """Sweep (``jobs.sweeps``): enqueue again envelopes still unprocessed since STUCK_BEFORE.

    Their job was lost (a broker that dropped it, a pipe killed between commit and enqueue) or is
    waiting out its back-off; their clock restarts, so the next sweep waits again instead of
    piling duplicates behind a slow queue. Processing is idempotent either way.
    """
    pending = InboundEnvelope.objects.filter(
        status=EnvelopeStatus.RECEIVED, status_changed_at__lt=stuck_before
    )
    ids = list(pending.order_by("status_changed_at").values_list("pk", flat=True)[:limit])
    pending.filter(pk__in=ids).update(status_changed_at=timezone.now())
    for envelope_id in ids:
        enqueue(PROCESS_TASK, envelope_id)
    return len(ids)
