"""Whatever JSON a feed sends, the importer either imports it or refuses it with OrukFeedInvalid:
never a TypeError, never a database error."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.oruk.feed import OrukFeedInvalid, oruk_feed_read
from directory.oruk.importer import oruk_import

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
OPTIONAL = [
    "description", "url", "email", "phones", "cost_options", "service_areas", "schedules", "attributes",
    "service_at_locations", "organization", "organization_id", "carehub_price", "carehub_delivery",
]  # fmt: skip
services = st.fixed_dictionaries(
    {
        "id": st.uuids().map(str) | json_values,
        "name": st.text(min_size=1, max_size=20) | json_values,
        "status": st.sampled_from(["active", "inactive", "defunct", "temporarily closed"]) | json_values,
    },
    optional=dict.fromkeys(OPTIONAL, json_values),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(services, max_size=3))
def test_import_oruk_any_json_is_imported_or_refused_cleanly(db: Any, items: list[dict[str, Any]]) -> None:
    try:
        feed = oruk_feed_read([{"contents": items}])
    except OrukFeedInvalid as exc:
        assert exc.message.startswith("Nothing was imported")
        return
    with transaction.atomic():
        result = oruk_import(feed=feed, source="fuzz")
        assert result.services.inserted + result.services.skipped == len(feed.services)
        transaction.set_rollback(True)
