"""The case composer's rules: which channels a reply may go by, and sending one (UI2, CU5, CH4).

- The options are the customer's deliverable identities on channels that have a sender (e-mail,
  WhatsApp…); the default is the channel where the customer last wrote.
- Replying where the customer wrote is always allowed; switching to another channel needs their
  consent not to be withdrawn (the newest ``contact`` consent record of that channel decides).
- WhatsApp follows its own policy (``channels.whatsapp.policy``): free text only inside the 24 h
  window, approved templates otherwise, and never after an opt-out.
- Attachments are checked against the desk's limits before anything is written; the reply, its
  attachments and a macro's actions are one transaction, guarded by the page's case version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from atiende.cases.attachments import add_attachment, check_attachment
from atiende.cases.models import Case, Channel, Direction, Message, Note
from atiende.cases.services import CaseValidationError, add_note, add_outbound_message
from atiende.channels.registry import SENDERS
from atiende.core.actors import Actor
from atiende.customers.models import ConsentPurpose, Identity
from atiende.customers.selectors import consent_history, current_consents
from atiende.replies.models import CannedResponse
from atiende.replies.services import apply_macro


class ConsentState:
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    UNKNOWN = "unknown"


@dataclass
class ChannelOption:
    channel: str
    label: str
    address: str
    consent: str
    is_customer_channel: bool
    blocked_reason: str = ""
    # WhatsApp only
    window_open: bool | None = None
    window_closes_at: datetime | None = None

    @property
    def is_blocked(self) -> bool:
        return bool(self.blocked_reason)


@dataclass
class ComposerState:
    options: list[ChannelOption]
    selected: ChannelOption | None
    templates: list[Any] = field(default_factory=list)

    @property
    def free_text_allowed(self) -> bool:
        option = self.selected
        if option is None or option.is_blocked:
            return False
        return option.channel != Channel.WHATSAPP or bool(option.window_open)


def _label(channel: str) -> str:
    return str(Channel(channel).label) if channel in Channel.values else channel


def customer_channel(case: Case) -> str:
    """The channel of the customer's latest message on this case, else the case's entry channel."""
    last = (
        Message.objects.filter(case=case, direction=Direction.INBOUND)
        .order_by("-created_at", "-pk")
        .values_list("channel", flat=True)
        .first()
    )
    return last or case.channel


def consent_states(case: Case) -> dict[str, str]:
    """{channel: granted/withdrawn} from the ``contact`` consent in force on each channel.

    The records of the profiles merged into the customer count (merging moves identities, not
    consents), as in the customer panel and the WhatsApp policy."""
    history = list(consent_history(case.customer))
    return {
        consent.channel: ConsentState.GRANTED if consent.is_granted else ConsentState.WITHDRAWN
        for consent in current_consents(history)
        if consent.purpose == ConsentPurpose.CONTACT
    }


def channel_options(case: Case) -> list[ChannelOption]:
    """One option per channel with a sender on which the customer has a deliverable identity."""
    identities = (
        Identity.objects.filter(
            customer_id=case.customer_id, kind__in=list(SENDERS), is_undeliverable=False
        )
        .order_by("kind", "-is_verified", "-created_at", "-pk")
        .values_list("kind", "address")
    )
    addresses: dict[str, str] = {}
    for kind, address in identities:
        addresses.setdefault(kind, address)
    consents = consent_states(case)
    own = customer_channel(case)
    options = []
    for channel, address in addresses.items():
        option = ChannelOption(
            channel=channel,
            label=_label(channel),
            address=address,
            consent=consents.get(channel, ConsentState.UNKNOWN),
            is_customer_channel=channel == own,
        )
        if not option.is_customer_channel and option.consent == ConsentState.WITHDRAWN:
            option.blocked_reason = _(
                "El cliente retiró su consentimiento para ser contactado por %(c)s: "
                "responda por el canal donde escribió."
            ) % {"c": option.label}
        if channel == Channel.WHATSAPP:
            _whatsapp_details(case, option)
        options.append(option)
    options.sort(key=lambda o: (not o.is_customer_channel, o.label))
    return options


def _whatsapp_details(case: Case, option: ChannelOption) -> None:
    from atiende.channels.whatsapp import policy

    option.window_closes_at = policy.window_closes_at(case)
    option.window_open = policy.window_is_open(case)
    if not option.blocked_reason:
        allowed, reason = policy.can_message_on_whatsapp(case)
        option.blocked_reason = "" if allowed else reason


def composer_state(case: Case, channel: str = "") -> ComposerState:
    """The options and the selected one: CHANNEL if offered, else the customer's own channel."""
    options = channel_options(case)
    chosen = next((o for o in options if o.channel == channel), None)
    chosen = chosen or (options[0] if options else None)
    templates: list[Any] = []
    if chosen is not None and chosen.channel == Channel.WHATSAPP:
        from atiende.channels.whatsapp.policy import usable_templates

        templates = list(usable_templates())
    return ComposerState(options=options, selected=chosen, templates=templates)


def whatsapp_template(template_id: str | int | None) -> Any:
    """The usable template with that id, or None."""
    from atiende.channels.whatsapp.policy import usable_templates

    if not template_id or not str(template_id).isdigit():
        return None
    return usable_templates().filter(pk=int(template_id)).first()


def _option_for(case: Case, channel: str) -> ChannelOption:
    option = next((o for o in channel_options(case) if o.channel == channel), None)
    if option is None:
        raise CaseValidationError(
            _("No se puede responder por %(c)s: el cliente no tiene una dirección en ese canal.")
            % {"c": _label(channel)}
        )
    if option.is_blocked:
        raise CaseValidationError(option.blocked_reason)
    return option


def check_files(files: Sequence[UploadedFile]) -> None:
    """Raise ``AttachmentRejected`` for the first file over the size limit or of a refused type."""
    for upload in files:
        check_attachment(upload.name or "", upload.size or 0)


def attach_files(
    files: Sequence[UploadedFile],
    *,
    case: Case,
    actor: Actor,
    message: Message | None = None,
    note: Note | None = None,
) -> None:
    """Store the uploaded FILES on CASE, as attachments of MESSAGE or NOTE."""
    for upload in files:
        add_attachment(
            case=case,
            file=upload,
            actor=actor,
            content_type=upload.content_type or "",
            message=message,
            note=note,
        )


@transaction.atomic
def add_note_with_files(
    *,
    case: Case,
    body: str,
    files: Sequence[UploadedFile],
    actor: Actor,
    expected_version: int | None = None,
) -> Note:
    """An internal note with its attachments, checked before anything is written; one
    transaction guarded by the page's case version."""
    check_files(files)
    note = add_note(case=case, body=body, actor=actor, expected_version=expected_version)
    attach_files(files, case=case, actor=actor, note=note)
    return note


@transaction.atomic
def send_reply(
    *,
    case: Case,
    actor: Actor,
    channel: str,
    body: str = "",
    template: Any = None,
    params: Sequence[str] = (),
    files: Sequence[UploadedFile] = (),
    macro: CannedResponse | None = None,
    expected_version: int | None = None,
) -> Message:
    """Queue a reply on CHANNEL (the outbox sends it after commit) and apply MACRO's actions.

    Raises ``CaseError`` subclasses with a Spanish message: ``StaleCase`` when the case changed
    since EXPECTED_VERSION, ``AttachmentRejected``, ``WhatsAppPolicyError``, or
    ``CaseValidationError`` for a channel that cannot be used.
    """
    option = _option_for(case, channel)
    check_files(files)
    if channel == Channel.WHATSAPP:
        from atiende.channels.whatsapp.services import queue_whatsapp_reply

        if files:
            raise CaseValidationError(
                _("Por WhatsApp solo se envía texto o una plantilla; adjunte archivos por correo.")
            )
        message = queue_whatsapp_reply(
            case=case,
            actor=actor,
            body=body,
            template=template,
            params=params,
            expected_version=expected_version,
        )
    else:
        message = add_outbound_message(
            case=case,
            actor=actor,
            channel=channel,
            body_text=body.strip(),
            to_address=option.address,
            expected_version=expected_version,
        )
    attach_files(files, case=message.case, actor=actor, message=message)
    if macro is not None and macro.has_actions:
        apply_macro(macro, case=Case.objects.get(pk=case.pk), actor=actor)
    return message


def preview_reply(
    case: Case, *, channel: str, body: str = "", template: Any = None, params: Sequence[str] = ()
) -> dict[str, str]:
    """What the customer will see: subject and HTML for e-mail, the text for WhatsApp."""
    from atiende.channels.email.sender import subject_with_folio

    if channel == Channel.WHATSAPP and template is not None:
        text = template.render([str(p) for p in params])
    else:
        text = body.strip()
    preview = {"channel": channel, "label": _label(channel), "text": text, "subject": ""}
    if channel == Channel.EMAIL:
        preview["subject"] = subject_with_folio(case.summary, case.folio)
        # Escaped by linebreaks, then wrapped in <p>/<br>: what the e-mail sender sends as HTML.
        preview["html"] = mark_safe(linebreaks(text, autoescape=True))  # noqa: S308
    return preview
