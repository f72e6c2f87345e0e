"""Small text rules of the intake: status-only requests (CA8)."""

from __future__ import annotations

import re
import unicodedata

#: A status request is short: a long message that also asks "¿cómo va?" is a new problem too.
MAX_STATUS_REQUEST_CHARS = 400
STATUS_REQUEST = re.compile(
    r"\b(como va|en que va|que paso con|estado de (mi|la|el|su)|estatus|status de|"
    r"(alguna|hay) novedad|novedades|seguimiento (a|de) mi|sigo esperando|"
    r"alguna respuesta|respuesta a mi (caso|solicitud|reclamo|folio)|ya (esta|quedo) mi|"
    r"cuando (me )?(responden|resuelven|contestan)|any update|status of my)",
)


def fold(text: str) -> str:
    """Lower case without accents: "¿Cómo VA?" and "como va" read the same."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_status_request(text: str) -> bool:
    """True for a message that only asks how its case is going ("¿cómo va mi caso?")."""
    text = text.strip()
    return 0 < len(text) <= MAX_STATUS_REQUEST_CHARS and bool(STATUS_REQUEST.search(fold(text)))
