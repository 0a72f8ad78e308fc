"""Personal budgets: allocation, top-ups, commitments for care, settlement and refunds,
alerts, statements and forecasts."""
