"""Channels: one package per channel (email/, whatsapp/, …), each with its inbound adapter and its
outbound sender. Outbound messages are rows of ``cases.Message`` (the outbox, invariant 4) that the
``outbound.send_message`` job hands to the sender that ``registry.SENDERS`` names for the channel.
"""
