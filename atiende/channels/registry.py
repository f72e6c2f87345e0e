"""Which function sends an outbound message on each channel.

A sender is ``def send(message: cases.Message) -> str``: it delivers the message (network I/O,
never inside a transaction) and returns the provider's id for it, which is stored as the message's
``external_id``. It raises ``jobs.errors.TransientError`` when trying again later may work and
``jobs.errors.PermanentError`` (with a Spanish detail shown on the case) when it cannot.
A channel with no sender here fails its messages with a clear detail instead of retrying forever.
"""

from __future__ import annotations

from collections.abc import Callable

from atiende.dispatch import import_path

#: {channel: "module:function"}. Channels' later issues add WhatsApp, Messenger, SMS, web chat.
SENDERS: dict[str, str] = {
    "email": "atiende.channels.email.sender:send_email",
    "whatsapp": "atiende.channels.whatsapp.sender:send_whatsapp",
}


def sender_for(channel: str) -> Callable[..., str] | None:
    path = SENDERS.get(channel)
    return import_path(path) if path else None
