"""Bulk writes for the register sync: batched UPDATEs and INSERTs of plain column values
and many-to-many links, in chunks that stay under SQLite's variable limit. The ORM's
bulk_update builds one CASE per field per row, which is what made large imports slow."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence

from django.db import connection, models

BATCH_SIZE = 1000
IN_CHUNK = 500  # keeps IN (...) lists under SQLite's variable limit


def chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_update(model: type[models.Model], objs: Sequence[models.Model], fields: list[str]) -> None:
    """`QuerySet.bulk_update`, fast on PostgreSQL.

    Django's bulk_update builds a CASE expression per field and row, which costs
    ~10 s of CPU for 6,000 services; on PostgreSQL one UPDATE ... FROM (VALUES ...)
    per batch does the same in a fraction of a second. Other backends use Django's.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    row_sql = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    assignments = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(columns) if i)
    for chunk in chunks(objs, BATCH_SIZE):
        params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in columns]
        # Identifiers come from model metadata only; every value is a bound parameter.
        sql = (
            f"UPDATE {qn(meta.db_table)} SET {assignments} "  # noqa: S608  # nosec B608
            f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v({aliases}) "
            f"WHERE {qn(meta.db_table)}.{qn(meta.pk.column)} = v.c0"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """`QuerySet.bulk_create`, fast on SQLite; new ids are not set there (callers look them up).

    On SQLite Django compiles an INSERT for every ~30 rows (its 999-variable limit) and
    prepares each value through the SQL compiler: most of the CPU of a first import of
    the Scottish register (~10 s). One INSERT run with `executemany` does the same in a
    fraction of it. Values are prepared as Django would (`pre_save`, `get_db_prep_save`).
    Other backends use Django's bulk_create, which returns ids.
    """
    if not objs:
        return
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    qn = connection.ops.quote_name
    # Identifiers come from model metadata only; every value is a bound parameter.
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    values = [_db_value(f) for f in fields]
    rows = [[value(obj) for value in values] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


# Fields whose database value is the attribute itself (str, int, bool, float or None) on SQLite.
# Exact types: a subclass may prepare its values differently.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.SlugField,
    models.EmailField,
    models.URLField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.FloatField,
)


def _db_value(field: models.Field) -> Callable[[models.Model], object]:
    """How `bulk_insert` reads one field's database value from an object: the attribute itself
    for plain fields and foreign keys to integer ids (preparing 600,000 values through Django
    was most of a first import's CPU), Django's preparation for the rest (dates, JSON, UUID...)."""
    if type(field) in _PLAIN_FIELDS or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.AutoField | models.BigAutoField)
    ):
        return operator.attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def link_pairs(through: type[models.Model], pairs: Sequence[tuple[int, int]], columns: tuple[str, str]) -> None:
    """Insert many-to-many rows (service id, other id) without building a model per row."""
    if not pairs:
        return
    left, right = (through._meta.get_field(name) for name in columns)
    if connection.vendor != "sqlite":
        through.objects.bulk_create(
            [through(**{left.attname: a, right.attname: b}) for a, b in pairs], batch_size=BATCH_SIZE
        )
        return
    qn, table = connection.ops.quote_name, through._meta.db_table
    with connection.cursor() as cursor:
        # Identifiers come from model metadata only; every value is a bound parameter.
        cursor.executemany(
            f"INSERT INTO {qn(table)} ({qn(left.column)}, {qn(right.column)}) VALUES (%s, %s)",  # noqa: S608  # nosec B608
            pairs,
        )
