"""Fakes of outside providers, as real local servers (STYLE §13)."""
