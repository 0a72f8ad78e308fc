"""Commissioner dashboard figures, each checked against the ledger on a known fixture.

The world: Glasgow funds two budgets (a direct payment and a council-managed budget),
Edinburgh funds one, and a self-funder spends too; only Glasgow's money may count."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from accounts.models import PersonProfile
from accounts.services import system_actor, user_sign_up
from accounts.tests import factories as af
from carehub.errors import DomainError
from commissioning.dashboard import dashboard
from commissioning.filters import Filters, Period, category_parse, period_parse
from commissioning.gaps import holders_without_service, unmet_demand
from commissioning.spend import (
    budget_utilisation,
    spend_by_category,
    spend_by_kind,
    spend_by_month,
    spend_by_provider,
    spend_quality,
)
from conftest import Cast
from directory.models import Category, ProviderVetting, Registration, SearchLog
from directory.tests import factories as df
from marketplace import ledger
from marketplace.budgets import services
from marketplace.models import Account, Budget, Entry, LedgerTransaction
from marketplace.tests.factories import key, make_budget, make_commitment

FY = Period(date(2026, 4, 1), date(2027, 3, 31))
STRONG = "a-long-and-unusual-passphrase"
TODAY = date(2026, 10, 1)  # about half-way through the year


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _half_way_through_the_year(time_machine: Any) -> None:
    # The figures are for one fixed budget year (FY), so the clock says TODAY, inside it.
    time_machine.move_to(at(TODAY))


@dataclass
class World:
    cast: Cast
    dp: Budget
    managed: Budget
    care_homes: Category
    help_at_home: Category
    personal_care: Category
    transport: Category


def settle(commitment: Any, day: date, amount_pence: int | None = None) -> Any:
    with ledger.posting_time(at(day)):
        return services.budget_settle(
            actor=system_actor(), commitment=commitment, idempotency_key=key(), amount_pence=amount_pence
        )


@pytest.fixture
def world(cast: Cast) -> World:
    care_homes, help_at_home = df.category("care-homes"), df.category("help-at-home")
    personal_care, transport = df.category("personal-care"), df.category("transport")
    holder2 = af.make_person(postcode="G11 5AA")
    dp = make_budget(person=cast.person, funder=cast.council, allocated_pence=100_000)
    managed = make_budget(person=holder2, funder=cast.council, allocated_pence=50_000, kind=Budget.Kind.COUNCIL_MANAGED)
    # Direct payment: £200 of care home care paid in May, £50 of transport planned for June, £30 released.
    c1 = make_commitment(budget=dp, provider=cast.provider, amount_pence=20_000, category=care_homes)
    settle(c1, date(2026, 5, 15))
    make_commitment(
        budget=dp, provider=cast.other_provider, amount_pence=5_000, category=transport, due_on=date(2026, 6, 1)
    )
    c3 = make_commitment(budget=dp, provider=cast.provider, amount_pence=3_000, category=care_homes)
    services.budget_release(actor=system_actor(), commitment=c3, idempotency_key=key())
    # Council-managed: £100 of personal care set aside, £80 delivered in June, then £10 refunded.
    c4 = make_commitment(budget=managed, provider=cast.other_provider, amount_pence=10_000, category=personal_care)
    settle(c4, date(2026, 6, 20), amount_pence=8_000)
    services.budget_refund(actor=system_actor(), commitment=c4, amount_pence=1_000, idempotency_key=key())
    # Someone else's money: Edinburgh's budget and a self-funder, both spending with the same providers.
    other = make_budget(person=cast.other_person, funder=cast.other_council, allocated_pence=70_000)
    settle(make_commitment(budget=other, provider=cast.provider, amount_pence=9_000, category=care_homes), TODAY)
    make_budget(person=af.make_person(), funder=None)  # a self-funder's budget: never a council's holder
    # Kelvin Companions is graded Good; Forth Home Care has one Good and one Weak service.
    for provider, grades in ((cast.provider, [5]), (cast.other_provider, [4, 2])):
        for grade in grades:
            service = df.make_service(provider=provider, council=cast.council, categories=[care_homes])
            Registration.objects.create(
                service=service, regulator="ci", registration_number=f"CS{service.pk}", lowest_grade=grade
            )
    return World(cast, dp, managed, care_homes, help_at_home, personal_care, transport)


def ledger_figures(council_id: int) -> dict[str, int]:
    """The same figures, straight from ledger entries."""
    mine = Entry.objects.filter(account__budget__funder_id=council_id)

    def total(**filters: Any) -> int:
        return mine.filter(**filters).aggregate(t=Sum("amount_pence"))["t"] or 0

    settled = -total(account__kind=Account.Kind.BUDGET_COMMITTED, transaction__reason=LedgerTransaction.Reason.SETTLE)
    refunded = total(account__kind=Account.Kind.BUDGET_AVAILABLE, transaction__reason=LedgerTransaction.Reason.REFUND)
    return {
        "spent": settled - refunded,
        "committed": total(account__kind=Account.Kind.BUDGET_COMMITTED),
        "available": total(account__kind=Account.Kind.BUDGET_AVAILABLE),
        "allocated": total(
            account__kind=Account.Kind.BUDGET_AVAILABLE, transaction__reason=LedgerTransaction.Reason.ALLOCATION
        ),
    }


def test_commissioning_totals_match_the_ledger(world: World) -> None:
    assert ledger.ledger_verify() == []
    expected = ledger_figures(world.cast.council.pk)
    assert expected == {"spent": 27_000, "committed": 5_000, "available": 118_000, "allocated": 150_000}
    f = Filters(council=world.cast.council, period=FY)
    board = dashboard(f, today=TODAY)
    assert board.spent_pence == expected["spent"]
    assert board.committed_pence == expected["committed"]
    u = board.utilisation
    assert (u.allocated_pence, u.available_pence, u.committed_pence, u.spent_pence) == (
        expected["allocated"],
        expected["available"],
        expected["committed"],
        expected["spent"],
    )
    assert (u.budgets, u.holders) == (2, 2)
    assert u.utilisation == round((27_000 + 5_000) / 150_000, 4)


def test_commissioning_spend_by_month_category_provider_kind(world: World) -> None:
    f = Filters(council=world.cast.council, period=FY)
    months = {row["month"]: (row["spent_pence"], row["committed_pence"]) for row in spend_by_month(f)}
    assert len(months) == 12
    assert months[date(2026, 5, 1)] == (20_000, 0)
    assert months[date(2026, 6, 1)] == (7_000, 5_000)
    assert sum(s for s, _ in months.values()) == 27_000
    by_category = {row["name"]: (row["spent_pence"], row["committed_pence"]) for row in spend_by_category(f)}
    # Personal care rolls up to its top-level category, help at home.
    assert by_category == {"Care homes": (20_000, 0), world.help_at_home.name: (7_000, 0), "Transport": (0, 5_000)}
    by_provider = {row["name"]: (row["spent_pence"], row["committed_pence"]) for row in spend_by_provider(f)}
    assert by_provider == {"Kelvin Companions": (20_000, 0), "Forth Home Care": (7_000, 5_000)}
    by_kind = {row["kind"]: (row["spent_pence"], row["committed_pence"]) for row in spend_by_kind(f)}
    assert by_kind == {"direct_payment": (20_000, 5_000), "council_managed": (7_000, 0)}


def test_commissioning_category_filter_shows_subcategories(world: World) -> None:
    f = Filters(council=world.cast.council, period=FY, category=world.help_at_home)
    assert [(r["name"], r["spent_pence"]) for r in spend_by_category(f)] == [("Personal care", 7_000)]
    assert [(r["name"], r["spent_pence"]) for r in spend_by_provider(f)] == [("Forth Home Care", 7_000)]


def test_commissioning_other_period_is_empty(world: World) -> None:
    f = Filters(council=world.cast.council, period=period_parse("2025-26"))
    board = dashboard(f, today=TODAY)
    assert board.spent_pence == board.committed_pence == 0
    assert board.utilisation.budgets == 0


def test_commissioning_quality_share_counts_only_good_providers(world: World) -> None:
    quality = spend_quality(Filters(council=world.cast.council, period=FY))
    # Kelvin (graded 5) counts; Forth has a service graded 2, so it does not.
    assert quality["spent_pence"] == 27_000
    assert quality["good_pence"] == 20_000
    assert quality["good_share"] == round(20_000 / 27_000, 4)
    assert quality["vetted_pence"] == quality["good_and_vetted_pence"] == 0  # nobody vetted yet


def test_commissioning_vetted_share_counts_providers_vetted_today(world: World) -> None:
    # Forth Home Care is vetted (but not Good); Kelvin's evidence runs out today, so it is not.
    ProviderVetting.objects.create(provider=world.cast.other_provider, vetted_at=timezone.now())
    ProviderVetting.objects.create(
        provider=world.cast.provider, vetted_at=timezone.now(), valid_until=timezone.localdate()
    )
    quality = spend_quality(Filters(council=world.cast.council, period=FY))
    assert quality["vetted_pence"] == 7_000
    assert quality["vetted_share"] == round(7_000 / 27_000, 4)
    assert quality["good_and_vetted_pence"] == 0
    ProviderVetting.objects.filter(provider=world.cast.provider).update(valid_until=None)
    quality = spend_quality(Filters(council=world.cast.council, period=FY))
    assert (quality["vetted_pence"], quality["good_and_vetted_pence"]) == (27_000, 20_000)


def test_commissioning_forecast_carries_the_rate_to_the_end_of_the_year(world: World) -> None:
    u = budget_utilisation(Filters(council=world.cast.council, period=FY), today=TODAY)
    elapsed, remaining = 184, 181  # 1 April to 1 October inclusive; the rest of the year
    projected = 27_000 * remaining // elapsed
    assert u.forecast_spend_pence == 27_000 + max(projected, 5_000)
    assert u.forecast_variance_pence == 150_000 - u.forecast_spend_pence
    assert u.forecast_underspend


def test_commissioning_other_councils_money_never_counts(world: World) -> None:
    f = Filters(council=world.cast.other_council, period=FY)
    board = dashboard(f, today=TODAY)
    assert board.spent_pence == ledger_figures(world.cast.other_council.pk)["spent"] == 9_000
    assert [r["name"] for r in board.top_providers] == ["Kelvin Companions"]
    assert board.utilisation.holders == 1


def test_commissioning_period_and_category_input_is_checked() -> None:
    assert period_parse("2026-27") == FY
    assert period_parse("", today=date(2027, 2, 1)) == FY
    for bad in ("2026", "2026-28", "abcd-ef", "1999-00"):
        with pytest.raises(DomainError):
            period_parse(bad)


@pytest.mark.django_db
def test_commissioning_unknown_category_is_refused() -> None:
    with pytest.raises(DomainError):
        category_parse("no-such-care")


def test_commissioning_dashboard_query_count_does_not_grow(world: World, django_assert_max_num_queries: Any) -> None:
    f = Filters(council=world.cast.council, period=FY)
    with django_assert_max_num_queries(20) as few:
        dashboard(f, today=TODAY)
    for _ in range(5):
        budget = make_budget(person=af.make_person(postcode="G3 7AB"), funder=world.cast.council, allocated_pence=9_000)
        settle(make_commitment(budget=budget, provider=df.make_provider(), amount_pence=1_000), date(2026, 7, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard(f, today=TODAY)


# --- Unmet demand and gaps ----------------------------------------------------------------------


@pytest.fixture
def places(cast: Cast) -> dict[str, Any]:
    """Two districts of the council: G12 (Glasgow West End) has a care home, KW1 (Wick) has nothing."""
    df.make_postcode("G12", 55.876, -4.295, council=cast.council)
    df.make_postcode("KW1", 58.44, -3.09, council=cast.council)
    care_homes, transport = df.category("care-homes"), df.category("transport")
    df.make_service(
        council=cast.council, postcode="G12 8QQ", latitude=55.873, longitude=-4.292, categories=[care_homes]
    )
    people = {
        "west_end": af.make_person(postcode="G12 8QQ", preferred_name="Wendy West"),
        "west_end_2": af.make_person(postcode="G12 9AA", preferred_name="Walter West"),
        "wick": af.make_person(postcode="KW1 4AA", preferred_name="Willa Wick"),
        "nowhere": af.make_person(postcode="", preferred_name="Noel Nowhere"),
    }
    budgets = {name: make_budget(person=p, funder=cast.council, allocated_pence=50_000) for name, p in people.items()}
    settle(
        make_commitment(budget=budgets["west_end"], provider=cast.provider, amount_pence=4_000, category=care_homes),
        date(2026, 7, 1),
    )
    day = date(2026, 8, 1)
    for result_count in (0, 0, 5):
        SearchLog.objects.create(
            district="G12",
            council=cast.council,
            category=care_homes,
            radius_miles=5,
            result_count=result_count,
            searched_on=day,
        )
    SearchLog.objects.create(
        district="KW1", council=cast.council, category=transport, radius_miles=25, result_count=1, searched_on=day
    )
    # Not this council's, and not this period's: never counted.
    SearchLog.objects.create(
        district="EH1", council=cast.other_council, category=transport, radius_miles=5, result_count=0, searched_on=day
    )
    SearchLog.objects.create(
        district="G12",
        council=cast.council,
        category=care_homes,
        radius_miles=5,
        result_count=0,
        searched_on=date(2025, 8, 1),
    )
    return {"care_homes": care_homes, "transport": transport}


def test_commissioning_unmet_demand_by_district_and_category(cast: Cast, places: dict[str, Any]) -> None:
    rows = unmet_demand(Filters(council=cast.council, period=FY))
    got = [
        (r["district"], r["category"], r["searches"], r["none"], r["few"], r["services"], r["spent_pence"])
        for r in rows
    ]
    assert got == [
        ("G12", "Care homes", 3, 2, 2, 1, 4_000),
        ("KW1", "Transport", 1, 0, 1, 0, 0),
    ]
    only_transport = unmet_demand(Filters(council=cast.council, period=FY, category=places["transport"]))
    assert [r["district"] for r in only_transport] == ["KW1"]


def test_commissioning_gaps_count_holders_without_a_service_nearby(cast: Cast, places: dict[str, Any]) -> None:
    gaps = holders_without_service(Filters(council=cast.council, period=FY), miles=10)
    by_slug = {row["category"].slug: row["holders"] for row in gaps["rows"]}
    assert by_slug["care-homes"] == 1  # Wick: the care home is 200 miles away
    assert by_slug["transport"] == 3  # no transport anywhere: every located holder
    assert (gaps["located"], gaps["unlocated"]) == (3, 1)
    # Counted, never listed: the result holds numbers and categories only.
    assert set(gaps) == {"miles", "rows", "located", "unlocated"}
    assert all(set(row) == {"category", "name", "holders"} for row in gaps["rows"])
    wide = holders_without_service(Filters(council=cast.council, period=FY), miles=50)
    assert {row["category"].slug: row["holders"] for row in wide["rows"]}["care-homes"] == 1


def test_commissioning_page_never_names_budget_holders(client: Any, cast: Cast, places: dict[str, Any]) -> None:
    client.force_login(cast.commissioner)
    body = client.get(f"/commissioning/{cast.council.slug}/", {"period": "2026-27"}).content.decode()
    assert "Searches that found little" in body and "KW1" in body
    for name in ("Wendy West", "Walter West", "Willa Wick", "Noel Nowhere", "G12 8QQ", "KW1 4AA"):
        assert name not in body


def test_commissioning_counts_a_holder_who_typed_the_postcode_without_a_space(
    cast: Cast, places: dict[str, Any]
) -> None:
    # Signed up as "g128qq": stored as G12 8QQ, so placed in G12 like everyone else there.
    user = user_sign_up(
        email="gail@example.com", full_name="Gail Glen", password=STRONG, uses_care=True, postcode="g128qq"
    )
    budget = make_budget(person=user.person_profile, funder=cast.council, allocated_pence=50_000)
    commitment = make_commitment(
        budget=budget, provider=cast.provider, amount_pence=1_000, category=places["care_homes"]
    )
    settle(commitment, date(2026, 7, 2))
    f = Filters(council=cast.council, period=FY)
    gaps = holders_without_service(f, miles=10)
    assert (gaps["located"], gaps["unlocated"]) == (4, 1)
    assert {row["category"].slug: row["holders"] for row in gaps["rows"]}["transport"] == 4
    g12 = next(r for r in unmet_demand(f) if r["district"] == "G12")
    assert g12["spent_pence"] == 4_000 + 1_000


def test_commissioning_places_a_holder_stored_before_normalising_once_migrated(
    cast: Cast, places: dict[str, Any]
) -> None:
    # A row from before postcodes were normalised: counted, as unlocated, until the migration runs.
    legacy = af.make_person(postcode="G12 8QQ")
    PersonProfile.objects.filter(pk=legacy.pk).update(postcode="G128QQ")
    make_budget(person=legacy, funder=cast.council, allocated_pence=50_000)
    f = Filters(council=cast.council, period=FY)
    assert itemgetter("located", "unlocated")(holders_without_service(f, miles=10)) == (3, 2)
    migration = importlib.import_module("accounts.migrations.0004_normalise_person_postcodes")
    assert migration.normalise(apps, None, out=lambda _: None) == (1, 0)
    assert itemgetter("located", "unlocated")(holders_without_service(f, miles=10)) == (4, 1)
