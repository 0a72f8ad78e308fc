"""Anonymous search log: what people look for, and how much they find.

Commissioners use it to see unmet demand (searches that found nothing or very
little) by postcode district and type of care. It is anonymous by design: a
row holds the postcode *district* (G12, never G12 8QQ), the council of that
place, the type of care asked for, the radius, the number of results and the
day. No user, no session, no full postcode, no IP address, no time of day.

Recording must never make a search fail: the row is written after the
request's transaction commits (on_commit), and the writer swallows and logs
its own errors.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from .postcodes import InvalidPostcode, normalise_postcode, postcode_district, postcode_sector

logger = logging.getLogger(__name__)

MAX_CATEGORIES_LOGGED = 5


class SearchLog(models.Model):
    """One search (one row per type of care asked for; none asked for = one row with no category)."""

    district = models.CharField(max_length=4, help_text="Postcode district only, e.g. G12")
    council = models.ForeignKey("directory.Council", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey(
        "directory.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    radius_miles = models.DecimalField(max_digits=5, decimal_places=1)
    result_count = models.PositiveIntegerField()
    searched_on = models.DateField()

    class Meta:
        app_label = "directory"
        indexes = [
            models.Index(fields=["council", "searched_on"], name="directory_searchlog_day"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.category_id or 'any'}: {self.result_count} results"


def search_log_record(*, postcode: str, radius_miles: float, result_count: int, categories: Iterable[str] = ()) -> None:
    """Record a search anonymously, once the request's transaction has committed.

    Never raises into the search: the write runs in an on_commit callback (robust, so a
    failure is logged, not raised), after the results have been read."""
    slugs = list(dict.fromkeys(categories))[:MAX_CATEGORIES_LOGGED]
    transaction.on_commit(
        lambda: _write(postcode=postcode, radius_miles=radius_miles, result_count=result_count, slugs=slugs),
        robust=True,
    )


def _write(*, postcode: str, radius_miles: float, result_count: int, slugs: list[str]) -> None:
    from .models import Category, Postcode  # this module is imported by models.py

    try:
        district = postcode_district(normalise_postcode(postcode))
    except InvalidPostcode:
        return
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A search-log row is statistics, not a record anyone relies on: don't make the
                # search wait for the WAL flush (a crash may lose the last few rows, never corrupt).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # The council of the place searched (unit, else sector, else district: all exact lookups).
            unit = normalise_postcode(postcode)
            candidates = [unit, postcode_sector(unit), district]
            found = dict(Postcode.objects.filter(postcode__in=candidates).values_list("postcode", "council_id"))
            council_id = next((found[c] for c in candidates if found.get(c)), None)
            category_ids: list[int | None] = [None]
            if slugs:
                category_ids = list(Category.objects.filter(slug__in=slugs).values_list("pk", flat=True)) or [None]
            today = timezone.localdate()
            SearchLog.objects.bulk_create(
                SearchLog(
                    district=district,
                    council_id=council_id,
                    category_id=category_id,
                    radius_miles=Decimal(str(round(float(radius_miles), 1))),
                    result_count=result_count,
                    searched_on=today,
                )
                for category_id in category_ids
            )
    except (DatabaseError, ValueError, TypeError):
        logger.exception("Could not record a search in the search log")
