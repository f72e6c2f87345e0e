"""HTML from customers is untrusted: sanitise it once, on the way in, with nh3."""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}


def sanitise_html(value: str) -> str:
    """Keep formatting, drop scripts, event handlers, styles and javascript: links."""
    if not value:
        return ""
    return nh3.clean(
        value, tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto", "cid", "tel"}
    )


def html_to_text(value: str) -> str:
    """A plain-text rendering of HTML for search, previews and the text part of replies."""
    for tag in ("<br>", "<br/>", "<br />", "</p>", "</div>", "</li>", "</tr>"):
        value = value.replace(tag, tag + "\n")
    text = html.unescape(nh3.clean(value, tags=set()))
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line).strip()
