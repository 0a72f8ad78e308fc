"""Test doubles for the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from marketplace.budgets.payments import ChargeResult


@dataclass
class FakePaymentGateway:
    """Records charges; declines when `decline_with` is set."""

    name: str = "fake"
    decline_with: str = ""
    charges: list[dict] = field(default_factory=list)

    def charge(self, *, amount_pence: int, reference: str, description: str) -> ChargeResult:
        self.charges.append(
            {"amount_pence": amount_pence, "reference": reference, "in_transaction": connection.in_atomic_block}
        )
        if self.decline_with:
            return ChargeResult(succeeded=False, message=self.decline_with)
        return ChargeResult(succeeded=True, gateway_reference=f"fake-{len(self.charges)}")
