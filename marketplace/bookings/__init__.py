"""Bookings: requests, the state machine from requested to completed, hourly slots from
availability, and recurring plans."""
