"""What a regulator's parser hands the sync engine: one `RegisterRecord` per good row and a
`RowError` per bad one, and the counts the engine reports back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date

from directory.models import Nation


@dataclass
class RowError:
    row_number: int
    reason: str
    reference: str = ""


@dataclass
class RegisterRecord:
    """One register row, already parsed and checked."""

    row_number: int
    registration_number: str
    provider_number: str
    provider_name: str
    name: str
    status: str  # Registration.Status.ACTIVE or INACTIVE
    provider_type: str = ""
    provider_is_individual: bool = False
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""  # normalised, or "" when the register publishes none
    phone: str = ""
    website: str = ""
    council_gss: str = ""
    council_name: str = ""
    nation: str = Nation.SCOTLAND
    service_type: str = ""
    subtype: str = ""
    category_slugs: list[str] = field(default_factory=list)
    client_group_slugs: list[str] = field(default_factory=list)
    delivered_at_home: bool = False
    registered_since: date | None = None
    graded_on: date | None = None
    last_inspected_on: date | None = None
    grades: dict[str, int] = field(default_factory=dict)
    beds: int | None = None
    registered_places: int | None = None
    complaints_upheld: dict[str, int] = field(default_factory=dict)
    register_url: str = ""

    @property
    def registered_address(self) -> str:
        return ", ".join(p for p in (self.address_line_1, self.address_line_2, self.town, self.postcode) if p)

    def digest(self) -> str:
        """A checksum of the register's word on this service (everything but the row number).

        Built from the fields directly: `asdict` deep-copies every value and cost a third of a
        first import. The JSON is the same as before, so stored checksums stay valid."""
        data = {f.name: getattr(self, f.name) for f in _DIGESTED}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


_DIGESTED = [f for f in fields(RegisterRecord) if f.name != "row_number"]


@dataclass
class SyncCounts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    reopened: int = 0
    errors: int = 0
    warnings: int = 0  # rows imported with a warning (read differently: see the import's message)
    providers_created: int = 0
    providers_updated: int = 0
    grade_changes: int = 0
    located_unit: int = 0
    located_sector: int = 0
    located_district: int = 0
    not_located: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
