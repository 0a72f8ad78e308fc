"""The search log is written in batches, so a search does not pay for its own insert."""

from __future__ import annotations

import pytest

from directory.models import Postcode, SearchLog
from directory.search.log import search_log_flush, search_log_record
from directory.tests.factories import make_council


@pytest.fixture
def batch_of_three(db, settings):
    settings.SEARCH_LOG_BATCH_SIZE = 3
    settings.SEARCH_LOG_FLUSH_SECONDS = 3600
    search_log_flush()  # nothing left over from another test
    council = make_council()
    Postcode.objects.create(postcode="G12 8", latitude=55.87, longitude=-4.29, precision="sector", council=council)
    return council


@pytest.fixture
def _record(django_capture_on_commit_callbacks):
    def record(n: int) -> None:
        for _ in range(n):  # each search commits on its own, as requests do
            with django_capture_on_commit_callbacks(execute=True):
                search_log_record(postcode="g12 8zz", radius_miles=5, result_count=0)

    return record


def test_search_log_waits_for_a_full_batch(batch_of_three, _record):
    _record(2)
    assert SearchLog.objects.count() == 0
    _record(1)
    assert SearchLog.objects.count() == 3


def test_search_log_flush_writes_what_is_queued_with_the_council_found_by_sector(batch_of_three, _record):
    _record(2)
    assert search_log_flush() == 2
    rows = list(SearchLog.objects.values_list("district", "council_id", "result_count"))
    assert rows == [("G12", batch_of_three.pk, 0)] * 2
    assert search_log_flush() == 0


def test_search_log_flushes_an_old_queue_on_the_next_search(batch_of_three, _record, settings):
    settings.SEARCH_LOG_FLUSH_SECONDS = 0
    _record(1)
    assert SearchLog.objects.count() == 1
