"""A page of search results as model instances, from two raw queries instead of the ORM's.

The ORM's select_related and prefetch_related cost a cache-miss search more Python time
(compiling the SQL) than the database spent answering. The SQL here is built once per
process; each column passes through the same converters the ORM applies (JSON, decimals,
datetimes and UUIDs read alike on PostgreSQL and SQLite), and the instances are wired up as
select_related would leave them, so templates and serialisers read them without a query:
``service.provider.vetting``, ``service.registration`` and ``service.rating_summary`` (a
missing row raises DoesNotExist, as after select_related). On PostgreSQL both statements are
prepared once per connection (carehub.prepared: planning the five-table join took longer than
running it). A service's categories, in their display order, are ``service.category_list``
(no manager: building one per row cost more than the rest of the row; ``service.categories``
would query).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.db import connection, connections, models

from carehub.prepared import execute_prepared_for_ids
from directory.models import Category, Provider, ProviderVetting, Registration, Service

Converter = tuple[Callable[[Any, Any, Any], Any], Any]  # (converter, the column it converts)


def rating_model() -> type[models.Model]:
    # The reviews app's ServiceRating, by its reverse name: the directory imports nothing from reviews.
    return Service._meta.get_field("rating_summary").related_model


def model_columns(model: type[models.Model], alias: str) -> tuple[list[str], list[str], list[list[Converter]]]:
    """SQL select items, attribute names and converters of a model's concrete fields."""
    fields = model._meta.concrete_fields
    qn = connection.ops.quote_name
    converters = []
    for field in fields:
        col = field.get_col(model._meta.db_table)
        # Each converter is called with its column, as the ORM's compiler does.
        convs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        converters.append([(convert, col) for convert in convs])
    return [f"{alias}.{qn(f.column)}" for f in fields], [f.attname for f in fields], converters


@cache
def _plan(vendor: str) -> tuple[str, list[tuple[type[models.Model], list[str], Converters, int]], str]:
    """(the rows' SQL, each model's slice of the row, the categories' SQL), each SQL with ``{ids}``
    where its ids' condition goes (execute_prepared_for_ids)."""
    del vendor  # part of the cache key only: converters differ by database
    parts, select = [], []
    for model, alias in (
        (Service, "s"),
        (Provider, "p"),
        (ProviderVetting, "v"),
        (Registration, "r"),
        (rating_model(), "sr"),
    ):
        items, names, converters = model_columns(model, alias)
        parts.append((model, names, sparse(converters), len(select)))
        select += items
    qn = connection.ops.quote_name
    # Only model metadata (quoted table and column names) is formatted in; ids are parameters.
    rows_sql = (
        f"SELECT {', '.join(select)} FROM {qn(Service._meta.db_table)} s "  # noqa: S608  # nosec B608
        f"INNER JOIN {qn(Provider._meta.db_table)} p ON p.id = s.provider_id "
        f"LEFT OUTER JOIN {qn(ProviderVetting._meta.db_table)} v ON v.provider_id = p.id "
        f"LEFT OUTER JOIN {qn(Registration._meta.db_table)} r ON r.service_id = s.id "
        f"LEFT OUTER JOIN {qn(rating_model()._meta.db_table)} sr ON sr.service_id = s.id "
        "WHERE s.id{ids}"
    )
    items, _, _ = model_columns(Category, "c")
    through = Service.categories.through._meta.db_table
    order = ", ".join(f"c.{qn(Category._meta.get_field(f).column)}" for f in Category._meta.ordering)
    categories_sql = (
        f"SELECT sc.service_id, {', '.join(items)} FROM {qn(through)} sc "  # noqa: S608  # nosec B608
        f"INNER JOIN {qn(Category._meta.db_table)} c ON c.id = sc.category_id "
        f"WHERE sc.service_id{{ids}} ORDER BY {order}, c.id"
    )
    return rows_sql, parts, categories_sql


# The columns that have converters, by position, each with its converters: most columns have none
# (on PostgreSQL nearly all), and a row is read without a step for each of those.
Converters = tuple[tuple[int, tuple[Converter, ...]], ...]


def sparse(per_column: list[list[Converter]]) -> Converters:
    return tuple((i, tuple(convs)) for i, convs in enumerate(per_column) if convs)


def convert_row(values: Any, converters: Converters) -> list[Any]:
    """Each value through its column's converters, as the ORM reads it."""
    converted = list(values)
    if not converters:  # most of a row's parts on PostgreSQL: nothing to look up
        return converted
    conn = connections[connection.alias]  # the wrapper itself, not the thread-local proxy, per value
    for i, field_converters in converters:
        value = converted[i]
        for convert, col in field_converters:
            value = convert(value, col, conn)
        converted[i] = value
    return converted


def _instance(model: type[models.Model], names: list[str], converters: Converters, values: Any) -> Any:
    return model.from_db(connection.alias, names, convert_row(values, converters))


def services_by_id(ids: list[int]) -> dict[int, Service]:
    """The services with these ids, their provider, vetting, registration, rating and categories loaded."""
    if not ids:
        return {}
    rows_sql, parts, categories_sql = _plan(connection.vendor)
    with connection.cursor() as cursor:
        execute_prepared_for_ids(cursor, "search_rows", rows_sql, ids)
        rows = cursor.fetchall()
        execute_prepared_for_ids(cursor, "search_categories", categories_sql, ids)
        category_rows = cursor.fetchall()
    (_, s_names, s_conv, _), *joined = parts
    services: dict[int, Service] = {}
    for row in rows:
        service = _instance(Service, s_names, s_conv, row[: len(s_names)])
        related = {}
        for model, names, converters, start in joined:
            values = row[start : start + len(names)]
            related[model] = None if values[0] is None else _instance(model, names, converters, values)
        provider = related[Provider]
        Service.provider.field.set_cached_value(service, provider)
        Provider.vetting.related.set_cached_value(provider, related[ProviderVetting])
        Service.registration.related.set_cached_value(service, related[Registration])
        Service._meta.get_field("rating_summary").set_cached_value(service, related[rating_model()])
        services[service.pk] = service
    by_service: dict[int, list[Category]] = {pk: [] for pk in services}
    names = [f.attname for f in Category._meta.concrete_fields]
    for service_id, *values in category_rows:
        by_service[service_id].append(Category.from_db(connection.alias, names, values))
    for pk, service in services.items():
        service.category_list = by_service[pk]
    return services
