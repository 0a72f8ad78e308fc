def pounds(pence: int) -> str:
    """``123450`` → ``1234.50`` (no £ sign, no thousands separator: for CSV files)."""
    sign = "-" if pence < 0 else ""
    whole, rem = divmod(abs(pence), 100)
    return f"{sign}{whole}.{rem:02d}"
