"""The anonymous search log: one row per search and type of care (see directory.search.log)."""

from __future__ import annotations

from django.db import models


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
