"""Uploaded files: the checks every upload gets, whatever it is for (a case attachment, a
customer import)."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

#: The longest file name kept; longer names are cut.
MAX_NAME_LENGTH = 200


def clean_filename(filename: str) -> str:
    """The last component of FILENAME (either slash), without NUL bytes, at most 200
    characters; "" when nothing is left. Never a path: the name cannot climb out of a folder."""
    return PurePath(filename.replace("\\", "/")).name.strip().replace("\x00", "")[:MAX_NAME_LENGTH]


def extension_of(name: str) -> str:
    """The lower-case extension of NAME, without the dot ("" when there is none)."""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def size_error(name: str, size: int) -> str | None:
    """Why a file of SIZE bytes is refused (Spanish), or None when it is within the limit
    (``ATIENDE_MAX_ATTACHMENT_BYTES``)."""
    limit = settings.ATIENDE_MAX_ATTACHMENT_BYTES
    if size <= limit:
        return None
    return _("El archivo %(n)s pesa %(s).1f MB; el máximo es %(l).0f MB.") % {
        "n": name,
        "s": size / 1048576,
        "l": limit / 1048576,
    }
