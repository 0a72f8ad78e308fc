"""How a service's register entry is shown: the API's `regulator` object and the page's panel."""

from __future__ import annotations

from typing import Any

from directory.models import Registration, Regulator, Service
from directory.models.regulator import regulator_grade_words


def service_registration(service: Service) -> Registration | None:
    """The service's register entry, or None for a provider no regulator registers."""
    try:
        return service.registration
    except Registration.DoesNotExist:
        return None


def grade_range(registration: Registration) -> dict[str, Any]:
    """A result's "Inspection grades" row: the lowest and highest of the register entry's grades
    and the regulator's words for them, and whether the grading is over two years old."""
    grades = sorted(g["grade"] for g in registration.grade_list())
    return {
        "registration": registration,
        "lowest": grades[0] if grades else None,
        "highest": grades[-1] if grades else None,
        "lowest_words": regulator_grade_words(registration.regulator, grades[0]) if grades else "",
        "highest_words": regulator_grade_words(registration.regulator, grades[-1]) if grades else "",
        "stale": registration.grading_is_stale(),
    }


def regulator_summary(service: Service) -> dict[str, Any] | None:
    """The API's `regulator` object: null for unregistered services."""
    registration = service_registration(service)
    return None if registration is None else registration_summary(registration)


def registration_summary(registration: Registration) -> dict[str, Any]:
    """regulator_summary of the service this register entry is for."""
    return {
        "name": registration.regulator_name,
        "registration_number": registration.registration_number,
        "status": registration.status,
        "grades": registration.grade_list(),
        "graded_on": registration.graded_on.isoformat() if registration.graded_on else None,
        "url": registration.url,
    }


def no_location_reason(service: Service, registration: Registration | None) -> str:
    """Why a registered service has no place on the map (and so is never in radius results)."""
    if service.latitude is not None or registration is None:
        return ""
    regulator = registration.regulator_name
    if not service.postcode:
        if registration.regulator == Regulator.CARE_INSPECTORATE and registration.service_type == "Child Minding":
            return (
                f"The {regulator} does not publish a childminder's address, so this service is listed for "
                f"its council area only and does not appear in searches by distance."
            )
        return (
            f"The {regulator} does not publish this service's address, so it is listed for its council area "
            f"only and does not appear in searches by distance."
        )
    return (
        f"We could not find the postcode {service.postcode} on the map, so this service is listed for its "
        f"council area only and does not appear in searches by distance."
    )
