"""Input serializers for the ORUK endpoints' query parameters: bad input is a 400 with
field errors, never a 500. Output is built by directory/oruk/mapping.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework import serializers

from carehub.postcodes import InvalidPostcode, normalise_postcode
from directory.oruk.mapping import BYDAY
from directory.oruk.selectors import MAX_PROXIMITY_METRES

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    per_page = serializers.IntegerField(required=False, default=DEFAULT_PER_PAGE, min_value=1, max_value=MAX_PER_PAGE)


class ServiceQuerySerializer(PageQuerySerializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    taxonomy_term_id = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    taxonomy_id = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    organization_id = serializers.UUIDField(required=False)
    modified_after = serializers.DateTimeField(required=False)
    # CareHub records no ages: both are checked, and do not narrow the results (docs/adr/0010).
    minimum_age = serializers.FloatField(required=False, min_value=0, max_value=150)
    maximum_age = serializers.FloatField(required=False, min_value=0, max_value=150)
    start_time = serializers.TimeField(required=False)
    end_time = serializers.TimeField(required=False)
    day = serializers.CharField(required=False, max_length=20)
    postcode = serializers.CharField(required=False, max_length=16)
    proximity = serializers.FloatField(required=False, min_value=1, max_value=MAX_PROXIMITY_METRES, help_text="metres")

    def validate_day(self, value: str) -> int:
        key = value.strip().lower()
        if key.upper() in BYDAY:
            return BYDAY.index(key.upper())
        if key in DAY_NAMES:
            return DAY_NAMES.index(key)
        raise serializers.ValidationError("Give a day as MO, TU, WE, TH, FR, SA or SU (or its name, like Monday).")

    def validate_modified_after(self, value: datetime) -> datetime:
        # Years at the very ends overflow when converted for the database.
        if not 1900 <= value.year <= 9000:
            raise serializers.ValidationError("Give a date and time between the years 1900 and 9000.")
        return value

    def validate_postcode(self, value: str) -> str:
        try:
            return normalise_postcode(value)
        except InvalidPostcode as exc:
            raise serializers.ValidationError(exc.message) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = {}
        if "proximity" in attrs and "postcode" not in attrs:
            errors["proximity"] = "Give a postcode to measure the proximity from."
        low, high = attrs.get("minimum_age"), attrs.get("maximum_age")
        if low is not None and high is not None and low > high:
            errors["maximum_age"] = "The maximum age must not be below the minimum age."
        start, end = attrs.get("start_time"), attrs.get("end_time")
        if start is not None and end is not None and start >= end:
            errors["end_time"] = "The end time must be after the start time."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
