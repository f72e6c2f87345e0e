"""The public contact form (CH3): a submission becomes an envelope first, like any channel."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from atiende.cases.models import Channel
from atiende.core import ratelimit
from atiende.intake.models import InboundEnvelope
from atiende.intake.services import process_now, receive_envelope

#: The envelope account of the contact form (one form for now; brands add theirs).
FORM_ACCOUNT = "contacto"


def over_rate_limit(client: str) -> bool:
    """Count this submission against CLIENT's hourly allowance; True once it is spent."""
    return ratelimit.over_limit(
        f"portal:contact:{client}", settings.ATIENDE_WEBFORM_LIMIT_PER_HOUR, 3600
    )


def submit_contact_form(
    *, data: dict[str, Any], files: Iterable[UploadedFile], client: str
) -> InboundEnvelope:
    """Store the submission as an envelope (its form token is the external id, so a resent page
    is a duplicate), then process it here so the customer sees the folio at once."""
    payload = {
        "name": data["name"],
        "email": data["email"],
        "phone": data.get("phone", ""),
        "case_type": data.get("case_type", ""),
        "message": data["message"],
        "client": client,
        "files": [
            {
                "name": f.name,
                "content_type": f.content_type or "",
                "data": base64.b64encode(f.read()).decode("ascii"),
            }
            for f in files
        ],
    }
    envelope, created = receive_envelope(
        channel=Channel.WEBFORM,
        account=FORM_ACCOUNT,
        raw=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        external_id=str(data["token"]),
        source="webform",
        sender=data["email"],
        enqueue_processing=False,
    )
    return process_now(envelope) if created else envelope
