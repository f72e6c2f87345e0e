"""Attachments: checked against the size and type limits before anything is stored (SE3)."""

from __future__ import annotations

import hashlib
import mimetypes

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.cases.events import record_event
from atiende.cases.models import Attachment, Case, Message, Note, Verb
from atiende.cases.services import CaseError, lock_case, touch_case
from atiende.core.actors import Actor
from atiende.core.files import clean_filename, extension_of, size_error


class AttachmentRejected(CaseError):
    code = "attachment_rejected"
    #: The HTTP status for the API (413 too large, 415 refused type); None: the default, 400.
    status_code: int | None = None


def check_attachment(filename: str, size: int) -> str:
    """Return a safe file name, or raise AttachmentRejected with the reason."""
    name = clean_filename(filename) or "adjunto"
    too_big = size_error(name, size)
    if too_big:
        raise AttachmentRejected(too_big)
    extension = extension_of(name)
    if extension in settings.ATIENDE_FORBIDDEN_EXTENSIONS:
        raise AttachmentRejected(_("No se aceptan archivos .%(e)s.") % {"e": extension})
    return name


@transaction.atomic
def add_attachment(
    *,
    case: Case,
    file: File,
    actor: Actor,
    filename: str = "",
    content_type: str = "",
    message: Message | None = None,
    note: Note | None = None,
) -> Attachment:
    name = check_attachment(filename or file.name or "", file.size)
    case = lock_case(case)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    attachment = Attachment(
        case=case,
        message=message,
        note=note,
        filename=name,
        size=file.size,
        sha256=digest.hexdigest(),
        content_type=(content_type or mimetypes.guess_type(name)[0] or "application/octet-stream")[
            :120
        ],
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    record_event(
        case,
        Verb.ATTACHMENT_ADDED,
        actor,
        after={"attachment": attachment.pk, "filename": name, "size": file.size},
    )
    touch_case(case)
    return attachment
