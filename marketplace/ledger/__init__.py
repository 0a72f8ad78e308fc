"""The money ledger: double-entry postings in integer pence, the accounts they move between, and idempotency keys for every money-moving call."""
