"""Payouts: providers' payable balances paid to their bank accounts in batches, with a CSV remittance."""
