"""Notifications: the in-app inbox, e-mail preferences and the outbox that delivers e-mail exactly once."""
