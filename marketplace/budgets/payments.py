"""The payment gateway adapter used for self-funder top-ups.

Services call `payment_gateway()` and never call it inside a database
transaction or lock. The offline gateway records a payment taken by hand
(bank transfer, cheque) and always succeeds; a card processor can be added
later as another class with the same `charge` and `lookup` methods. Tests
replace the gateway with marketplace.tests.fakes.FakePaymentGateway.

`lookup` answers "did the charge with this reference take the money?". The
periodic reconciliation (budgets.topups.budget_topups_reconcile) asks it about
top-ups left pending by a crash between the charge and recording its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    gateway_reference: str = ""
    message: str = ""


class ChargeStatus(StrEnum):
    CHARGED = "charged"  # the gateway took the money
    NOT_CHARGED = "not_charged"  # the gateway has no successful charge with that reference
    UNKNOWN = "unknown"  # the gateway cannot tell now (unreachable, or a payment taken by hand)


@dataclass(frozen=True)
class ChargeLookup:
    status: ChargeStatus
    gateway_reference: str = ""
    message: str = ""


class PaymentGateway(Protocol):
    name: str

    def charge(self, *, amount_pence: int, reference: str, description: str) -> ChargeResult:
        """Take `amount_pence` from the payer. `reference` is unique per
        attempt, so a gateway that supports it can de-duplicate retries."""
        ...

    def lookup(self, *, reference: str) -> ChargeLookup:
        """What became of the charge made with `reference`. Must not charge anything."""
        ...


class OfflinePaymentGateway:
    """Money received outside CareHub (bank transfer, cheque), recorded by hand."""

    name = "offline"

    def charge(self, *, amount_pence: int, reference: str, description: str) -> ChargeResult:
        return ChargeResult(succeeded=True, gateway_reference=f"offline-{reference}")

    def lookup(self, *, reference: str) -> ChargeLookup:
        # Money paid by hand is not visible to CareHub: staff check the bank statement
        # and settle such a top-up themselves, so it stays pending rather than being guessed.
        return ChargeLookup(ChargeStatus.UNKNOWN, message="Payments taken by hand are checked by staff.")


_gateway: PaymentGateway = OfflinePaymentGateway()


def payment_gateway() -> PaymentGateway:
    return _gateway


def set_payment_gateway(gateway: PaymentGateway) -> PaymentGateway:
    """Swap the gateway (tests, or a deployment wiring a card processor). Returns the previous one."""
    global _gateway
    previous, _gateway = _gateway, gateway
    return previous
