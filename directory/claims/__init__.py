"""Claiming an imported listing: a provider asks, with evidence; a vetting officer decides."""
