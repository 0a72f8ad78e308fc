"""Messaging: threads between people (or their carers) and providers, about a service or a booking."""
