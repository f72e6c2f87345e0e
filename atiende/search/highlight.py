"""Safe, accent-insensitive snippets: escape first, then mark the matched words.

Customer text may contain HTML; the snippet is built from escaped pieces only, so the one markup
in it is our own ``<mark>``.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"\w+")
SNIPPET_CHARS = 220
#: Text past this point is not scanned (a long e-mail body); the snippet shows its start.
SCAN_CHARS = 20_000


def fold_char(char: str) -> str:
    """CHAR lower-cased and without its accents, always one character (so positions map 1:1)."""
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    base = base.lower()
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    return "".join(fold_char(char) for char in text)


def stems(terms: list[str]) -> list[str]:
    """The prefixes a word must start with to count as a match of one of TERMS.

    Both indexes stem (PostgreSQL's Spanish stemmer) or match prefixes (SQLite), so "crédito"
    also finds "créditos"; dropping the last two letters of longer terms marks those too."""
    result = []
    for term in terms:
        folded = fold(term)
        result.append(folded[: max(4, len(folded) - 2)] if len(folded) > 4 else folded)
    return result


def snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> SafeString:
    """A window of TEXT around its first match of TERMS, HTML-escaped, matches in ``<mark>``."""
    text = " ".join((text or "")[:SCAN_CHARS].split())
    folded = fold(text)
    prefixes = stems(terms)
    spans = [
        m.span() for m in WORD.finditer(folded) if any(m.group().startswith(p) for p in prefixes)
    ]
    start = 0
    if spans and spans[0][1] > size:
        start = max(0, spans[0][0] - size // 3)
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    pieces = ["…" if start else ""]
    position = start
    for first, last in spans:
        if first < start or last > end:
            continue
        pieces.append(escape(text[position:first]))
        pieces.append(f"<mark>{escape(text[first:last])}</mark>")
        position = last
    pieces.append(escape(text[position:end]))
    pieces.append("…" if end < len(text) else "")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text above is escaped
