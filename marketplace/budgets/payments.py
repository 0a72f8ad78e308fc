"""The payment gateway adapter used for self-funder top-ups.

Services call `payment_gateway()` and never call it inside a database
transaction or lock. The offline gateway records a payment taken by hand
(bank transfer, cheque) and always succeeds; a card processor can be added
later as another class with the same `charge` method. Tests replace the
gateway with marketplace.tests.fakes.FakePaymentGateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    gateway_reference: str = ""
    message: str = ""


class PaymentGateway(Protocol):
    name: str

    def charge(self, *, amount_pence: int, reference: str, description: str) -> ChargeResult:
        """Take `amount_pence` from the payer. `reference` is unique per
        attempt, so a gateway that supports it can de-duplicate retries."""
        ...


class OfflinePaymentGateway:
    """Money received outside CareHub (bank transfer, cheque), recorded by hand."""

    name = "offline"

    def charge(self, *, amount_pence: int, reference: str, description: str) -> ChargeResult:
        return ChargeResult(succeeded=True, gateway_reference=f"offline-{reference}")


_gateway: PaymentGateway = OfflinePaymentGateway()


def payment_gateway() -> PaymentGateway:
    return _gateway


def set_payment_gateway(gateway: PaymentGateway) -> PaymentGateway:
    """Swap the gateway (tests, or a deployment wiring a card processor). Returns the previous one."""
    global _gateway
    previous, _gateway = _gateway, gateway
    return previous
