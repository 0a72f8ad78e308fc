"""Test doubles for the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from marketplace.budgets.payments import ChargeLookup, ChargeResult, ChargeStatus


class SimulatedCrash(Exception):
    """The process died after the gateway took the money and before CareHub recorded it."""


@dataclass
class FakePaymentGateway:
    """Records charges; declines when `decline_with` is set. `crash_before_charge` and
    `crash_after_charge` raise SimulatedCrash before or after taking the money, as a worker
    killed mid-request would leave it. `lookup` answers from the charges it took (UNKNOWN
    while `unreachable`)."""

    name: str = "fake"
    decline_with: str = ""
    crash_before_charge: bool = False
    crash_after_charge: bool = False
    unreachable: bool = False
    charges: list[dict] = field(default_factory=list)
    lookups: list[dict] = field(default_factory=list)

    def charge(self, *, amount_pence: int, reference: str, description: str) -> ChargeResult:
        if self.crash_before_charge:
            raise SimulatedCrash(reference)
        succeeded = not self.decline_with
        self.charges.append(
            {
                "amount_pence": amount_pence,
                "reference": reference,
                "in_transaction": connection.in_atomic_block,
                "succeeded": succeeded,
                "gateway_reference": f"fake-{len(self.charges) + 1}" if succeeded else "",
            }
        )
        if self.crash_after_charge:
            raise SimulatedCrash(reference)
        if not succeeded:
            return ChargeResult(succeeded=False, message=self.decline_with)
        return ChargeResult(succeeded=True, gateway_reference=self.charges[-1]["gateway_reference"])

    def lookup(self, *, reference: str) -> ChargeLookup:
        self.lookups.append({"reference": reference, "in_transaction": connection.in_atomic_block})
        if self.unreachable:
            return ChargeLookup(ChargeStatus.UNKNOWN, message="The payment provider did not answer.")
        for charge in self.charges:
            if charge["reference"] == reference and charge["succeeded"]:
                return ChargeLookup(ChargeStatus.CHARGED, gateway_reference=charge["gateway_reference"])
        return ChargeLookup(ChargeStatus.NOT_CHARGED, message="No payment was taken.")
