"""The e-mail channel: the outbound sender, and the three inbound ways (MTA pipe, SMTP/LMTP
listener, IMAP poll + IDLE) that all store an ``intake.InboundEnvelope`` and nothing else."""
