"""API views: parse, check permission, call one service, render (STYLE §6)."""
