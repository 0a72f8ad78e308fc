"""The directory's models, one module per concern. Every model is importable from
here, and importing this package is how Django finds them all."""

from directory.models.advice import AdvicePage
from directory.models.events import CommunityGroup, Event
from directory.models.listings import (
    AvailabilityException,
    AvailabilityWindow,
    Category,
    ClientGroup,
    Provider,
    Service,
    ServiceConfirmation,
    ServiceEdit,
    Weekday,
)
from directory.models.oruk import OrukRecord
from directory.models.places import Council, Nation, Postcode
from directory.models.regulator import (
    GradeChange,
    ListingClaim,
    RegisteredProvider,
    RegisterImport,
    RegisterImportError,
    Registration,
    Regulator,
)
from directory.models.search_log import SearchLog
from directory.models.vetting import ProviderVetting, VettingCheck, VettingEvidence

__all__ = [
    "AdvicePage",
    "AvailabilityException",
    "AvailabilityWindow",
    "Category",
    "ClientGroup",
    "CommunityGroup",
    "Council",
    "Event",
    "GradeChange",
    "ListingClaim",
    "Nation",
    "OrukRecord",
    "Postcode",
    "Provider",
    "ProviderVetting",
    "RegisterImport",
    "RegisterImportError",
    "RegisteredProvider",
    "Registration",
    "Regulator",
    "SearchLog",
    "Service",
    "ServiceConfirmation",
    "ServiceEdit",
    "VettingCheck",
    "VettingEvidence",
    "Weekday",
]
