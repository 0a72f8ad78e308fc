"""Parallel publications of one service's reviews on separate PostgreSQL connections all count:
the rating rows are locked before the aggregate is read, so no publication misses another's."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from accounts.tests.factories import make_person
from directory.tests.factories import make_service
from reviews import services
from reviews.models import ProviderRating, ServiceRating
from reviews.tests.factories import make_review

PARALLEL = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rating_refresh_parallel_publications_are_all_counted(cast: Any) -> None:
    service = make_service(provider=cast.provider)
    make_service(provider=cast.provider)  # a second service of the provider, unrated
    reviews = [make_review(service=service, person=make_person(), overall=1 + i % 5) for i in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    errors: list[Exception] = []

    def publish(review_id: int, due: Any) -> None:
        barrier.wait()
        try:
            services.review_publish(review_id=review_id, now=due)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(r.pk, r.publish_after)) for r in reviews]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rating = ServiceRating.objects.get(service=service)
    expected_sum = sum(r.overall for r in reviews)
    assert (rating.review_count, rating.recent_sum) == (PARALLEL, expected_sum)
    assert ProviderRating.objects.get(provider=cast.provider).review_count == PARALLEL
