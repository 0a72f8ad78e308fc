"""Vetting providers: which checks apply, each dated check, evidence uploads, the officers'
queue and the nightly expiry and reminders."""
