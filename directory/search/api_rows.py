"""The search's result rows, built straight from SQL (issue 13): the API's JSON here, the
results page's rows in page_rows.py.

A cache-miss search spent more Python on model instances (a service, its provider and
categories, for every row) and on reading them back out into JSON than on anything else.
Here one statement reads only the columns a result shows, and each row becomes its JSON
object directly: no instance for the service, its provider or its categories. The rarer
parts keep their one definition: a register entry or a vetting outcome, where a row has
one, is made an instance and summarised by the same functions as everywhere else
(registration_summary, vetting_public), and prices are worded by price_text.

The API's rows are ServiceSearchApi.OutputSerializer's, key for key (a test compares them);
the serializer stays the documented schema.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import UUIDField

from carehub.prepared import execute_prepared_for_ids, execute_prepared_sql
from directory.models import Provider, ProviderVetting, Registration, Service
from directory.registers.display import registration_summary
from directory.search.display import price_text, service_detail_url_parts
from directory.search.rows import Converter, convert_row, model_columns, rating_model, sparse
from directory.search.selectors import KM_PER_MILE
from directory.search.taxonomy import search_taxonomy
from directory.vetting.selectors import vetting_public

SERVICE_COLUMNS = [
    "id",
    "code",
    "name",
    "postcode",
    "latitude",
    "longitude",
    "delivered_at_location",
    "delivered_at_home",
    "delivered_remotely",
    "service_radius_miles",
    "price_pence",
    "price_unit",
    "price_on_request",
    "town",
    "status",
]
RATING_COLUMNS = ["review_count", "average", "score"]
# Of a register entry and a vetting outcome, what registration_summary, grade_range (and the results
# page's template, through it) and vetting_public read; the rest is left deferred, and a test fails
# if a result ever reads it (a query per row). A register entry's address, names and import
# bookkeeping were two thirds of a row's columns. Each list is in its model's field order, the order
# in which Model.from_db takes a subset of the fields.
REGISTRATION_COLUMNS = ["id", "regulator", "registration_number", "status", "grades", "graded_on", "register_url"]
VETTING_COLUMNS = ["id", "provider_id", "vetted_at", "valid_until", "checks"]


Plan = dict[str, Any]


@cache
def _plan(vendor: str) -> Plan:
    """The rows' and categories' SQL (``{ids}`` where the ids' condition goes) and how to read a row."""
    del vendor  # part of the cache key only: converters differ by database
    qn = connection.ops.quote_name
    service_items, service_conv = _named_columns(Service, "s", SERVICE_COLUMNS)
    provider_items, provider_conv = _named_columns(Provider, "p", ["code", "name"])
    rating_items, rating_conv = _named_columns(rating_model(), "sr", RATING_COLUMNS)
    vetting_items, vetting_conv = _named_columns(ProviderVetting, "v", VETTING_COLUMNS)
    registration_items, registration_conv = _named_columns(Registration, "r", REGISTRATION_COLUMNS)
    through = qn(Service.categories.through._meta.db_table)
    select = [*service_items, *provider_items, *rating_items, *vetting_items, *registration_items]
    if connection.vendor == "postgresql":
        # Each row's categories' ids as one array in the same statement (a round trip fewer); their
        # names and order come from the taxonomy in memory (joining the categories to each row for
        # them took half the statement's time).
        select.append(f"ARRAY(SELECT sc.category_id FROM {through} sc WHERE sc.service_id = s.id)")  # noqa: S608  # nosec B608
    joins = (
        f"INNER JOIN {qn(Provider._meta.db_table)} p ON p.id = s.provider_id "
        f"LEFT OUTER JOIN {qn(ProviderVetting._meta.db_table)} v ON v.provider_id = p.id "
        f"LEFT OUTER JOIN {qn(Registration._meta.db_table)} r ON r.service_id = s.id "
        f"LEFT OUTER JOIN {qn(rating_model()._meta.db_table)} sr ON sr.service_id = s.id "
    )
    # Only model metadata (quoted table and column names) is formatted in; ids are parameters.
    rows_sql = f"SELECT {', '.join(select)} FROM {qn(Service._meta.db_table)} s {joins}WHERE s.id{{ids}}"  # noqa: S608  # nosec B608
    # The same rows joined to a page statement's (page_sources): {page} is that statement, {order} its order.
    page_rows_sql = (
        f"SELECT {', '.join(select)}, pg.* FROM ({{page}}) pg "  # noqa: S608  # nosec B608
        f"INNER JOIN {qn(Service._meta.db_table)} s ON s.id = pg.id {joins}ORDER BY {{order}}"
    )
    categories_sql = (  # other databases: a second statement
        f"SELECT sc.service_id, sc.category_id FROM {through} sc WHERE sc.service_id{{ids}}"  # noqa: S608  # nosec B608
    )
    first = len(service_items) + len(provider_items)
    vetting_at = first + len(rating_items)
    registration_at = vetting_at + len(vetting_items)
    return {
        "rows_sql": rows_sql,
        "page_rows_sql": page_rows_sql,
        "width": len(select),  # then, joined to a page statement, its columns
        "categories_at": len(select) - 1,  # PostgreSQL: the array of category ids
        "categories_sql": categories_sql,
        "head": sparse(service_conv + provider_conv + rating_conv),
        "head_width": first + len(rating_items),
        "vetting": (vetting_at, VETTING_COLUMNS, sparse(vetting_conv)),
        "registration": (registration_at, REGISTRATION_COLUMNS, sparse(registration_conv)),
    }


def _named_columns(model: type[Any], alias: str, names: list[str]) -> tuple[list[str], list[list[Converter]]]:
    items, attnames, converters = model_columns(model, alias)
    by_name = {attname: (item, conv) for item, attname, conv in zip(items, attnames, converters, strict=True)}
    if connection.vendor == "postgresql":
        # The API shows codes as text: read them as text, not parsed into UUIDs and printed back.
        for name in names:
            if isinstance(model._meta.get_field(name), UUIDField):
                by_name[name] = (f"CAST({by_name[name][0]} AS text)", [])
    return [by_name[name][0] for name in names], [by_name[name][1] for name in names]


class ResultSource(NamedTuple):
    """What one search result is built from: its columns by name (``head``), its types of care as
    (slug, name) in display order, its register entry and its provider's public vetting."""

    head: Any  # a ResultHead: SERVICE_COLUMNS, provider_code, provider_name, RATING_COLUMNS
    categories: list[tuple[str, str]]
    registration: Registration | None
    vetting: dict[str, Any] | None  # vetting_public's; None when not vetted (now)


ResultHead = namedtuple("ResultHead", [*SERVICE_COLUMNS, "provider_code", "provider_name", *RATING_COLUMNS])


def result_sources(ids: list[int]) -> dict[int, ResultSource]:
    """The results for these service ids, by id, from one statement (two on other databases)."""
    plan = _plan(connection.vendor)
    with connection.cursor() as cursor:
        execute_prepared_for_ids(cursor, "search_api_rows", plan["rows_sql"], ids)
        rows = cursor.fetchall()
        category_ids: dict[int, list[int]] = {pk: [] for pk in ids}
        if connection.vendor == "postgresql":
            for row in rows:
                category_ids[row[0]] = row[plan["categories_at"]]
        else:
            execute_prepared_for_ids(cursor, "search_api_categories", plan["categories_sql"], ids)
            for service_id, category_id in cursor.fetchall():
                category_ids[service_id].append(category_id)
    categories = _category_names(category_ids)
    return {row[0]: _source(row, plan, categories[row[0]]) for row in rows}


def page_sources(name: str, page_sql: str, params: list[Any], order: str) -> list[tuple[tuple[Any, ...], ResultSource]]:
    """PostgreSQL only: a page statement's rows (page_sql, its columns named, ``id`` first) in the
    given order (of those columns, as ``pg.<name>``), each with its result's source, from one
    statement: the page's ids need not go back to the database for their rows (a round trip: for a
    page and its rows 376 → 235 µs of this side's CPU and 705 → 570 µs of the database's)."""
    plan = _plan(connection.vendor)
    sql = plan["page_rows_sql"].format(page=page_sql, order=order)
    with connection.cursor() as cursor:
        execute_prepared_sql(cursor, f"{name}_rows", sql, params)
        rows = cursor.fetchall()
    categories = _category_names({row[0]: row[plan["categories_at"]] for row in rows})
    return [(row[plan["width"] :], _source(row, plan, categories[row[0]])) for row in rows]


def _category_names(category_ids: dict[int, list[int]]) -> dict[int, list[tuple[str, str]]]:
    taxonomy = search_taxonomy()
    categories = {pk: taxonomy.category_names(some) for pk, some in category_ids.items()}
    if None in categories.values():  # a type of care added since the taxonomy was read
        taxonomy = search_taxonomy(fresh=True)
        categories = {pk: taxonomy.category_names(some) or [] for pk, some in category_ids.items()}
    return categories


def _source(row: tuple[Any, ...], plan: Plan, categories: list[tuple[str, str]]) -> ResultSource:
    return ResultSource(
        head=ResultHead._make(convert_row(row[: plan["head_width"]], plan["head"])),
        categories=categories,
        registration=_registration(row, plan),
        vetting=_vetting(row, plan),
    )


class ResultLoader:
    """A page's rows made by ``build`` from each result's source and distance: ``loader(pairs)`` for
    a page's (service id, distance in km) pairs, in their order; on PostgreSQL, ``with_page`` reads
    them with the page statement itself (ServiceSearchResults uses it when it can)."""

    def __init__(self, build: Callable[[ResultSource, float | None, str, str], Any]) -> None:
        self.build = build

    def __call__(self, pairs: list[tuple[int, float | None]]) -> list[Any]:
        if not pairs:
            return []
        sources = result_sources([pk for pk, _ in pairs])
        url_prefix, url_suffix = service_detail_url_parts()
        return [self.build(sources[pk], km, url_prefix, url_suffix) for pk, km in pairs]

    def with_page(self, name: str, page_sql: str, params: list[Any], order: str) -> list[tuple[tuple[Any, ...], Any]]:
        """page_sources, each source built into its row; the page statement's columns (distance second)."""
        fetched = page_sources(name, page_sql, params, order)
        url_prefix, url_suffix = service_detail_url_parts()
        return [(page, self.build(source, page[1], url_prefix, url_suffix)) for page, source in fetched]


def _api_row(source: ResultSource, km: float | None, url_prefix: str, url_suffix: str) -> dict[str, Any]:
    head = source.head
    code = str(head.code)
    return {
        "id": code,
        "name": head.name,
        "url": f"{url_prefix}{code}{url_suffix}",
        "provider": {"id": str(head.provider_code), "name": head.provider_name},
        "categories": [{"slug": slug, "name": label} for slug, label in source.categories],
        "postcode": head.postcode,
        "latitude": None if head.latitude is None else float(head.latitude),
        "longitude": None if head.longitude is None else float(head.longitude),
        "distance_miles": None if km is None else round(km / KM_PER_MILE, 2),
        "distance_km": None if km is None else round(km, 2),
        "delivery": {
            "at_location": head.delivered_at_location,
            "at_home": head.delivered_at_home,
            "remotely": head.delivered_remotely,
            "service_radius_miles": None if head.service_radius_miles is None else float(head.service_radius_miles),
        },
        "price": {
            "pence": head.price_pence,
            "unit": head.price_unit or None,
            "on_request": head.price_on_request,
            "display": price_text(head.price_on_request, head.price_pence, head.price_unit),
        },
        "rating": None
        if not head.review_count
        else {
            "average": round(head.average, 2),
            "count": head.review_count,
            "score": None if head.score is None else round(head.score, 3),
        },
        "regulator": None if source.registration is None else registration_summary(source.registration),
        "vetting": source.vetting,
    }


search_api_rows = ResultLoader(_api_row)  # the API's JSON rows


def _registration(row: tuple[Any, ...], plan: Plan) -> Registration | None:
    """A row's register entry; None when the service is not registered with a regulator."""
    start, names, converters = plan["registration"]
    values = row[start : start + len(names)]
    if values[0] is None:
        return None
    return Registration.from_db(connection.alias, names, convert_row(values, converters))


def _vetting(row: tuple[Any, ...], plan: Plan) -> dict[str, Any] | None:
    """A row's provider's vetting as vetting_public shows it; None when not vetted (now)."""
    start, names, converters = plan["vetting"]
    values = row[start : start + len(names)]
    if values[0] is None:  # never vetted
        return None
    vetting = ProviderVetting.from_db(connection.alias, names, convert_row(values, converters))
    provider = Provider(pk=vetting.provider_id)
    Provider.vetting.related.set_cached_value(provider, vetting)
    return vetting_public(provider)
