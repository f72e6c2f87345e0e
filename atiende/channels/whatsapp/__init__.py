"""WhatsApp Business (Cloud API): outbound sender, the 24-hour window and consent policy, and the
approved message templates. Inbound (webhook) lives here too when its issue adds it."""
