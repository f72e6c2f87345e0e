"""The e-mail channel. This package holds the outbound sender; inbound (IMAP/SMTP) comes later."""
