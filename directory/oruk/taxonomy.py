"""CareHub's own vocabularies as ORUK taxonomies, with ids that never change.

Two taxonomies: the service categories (two levels: a term's ``parent_id`` is its
top-level category) and the client groups (who a service is for). Term ids are
UUIDv5 of the slug, which is already the public key of a category in search URLs;
so every CareHub installation gives the same term the same id, and an import can
recognise CareHub's own terms in another CareHub's feed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from directory.models import Category, ClientGroup

# Fixed namespace for every id CareHub derives for ORUK (never change it: ids would move).
NAMESPACE = uuid.UUID("5b0e7f3a-3c55-4c1e-9a43-0f6d2b6c1e14")

CATEGORIES = "categories"
CLIENT_GROUPS = "client_groups"


@dataclass(frozen=True)
class Taxonomy:
    key: str
    id: str
    name: str
    description: str


TAXONOMIES = {
    CATEGORIES: Taxonomy(
        key=CATEGORIES,
        id=str(uuid.uuid5(NAMESPACE, "taxonomy:categories")),
        name="CareHub service categories",
        description="What kind of care or support a service gives: 15 top-level categories, each with subcategories.",
    ),
    CLIENT_GROUPS: Taxonomy(
        key=CLIENT_GROUPS,
        id=str(uuid.uuid5(NAMESPACE, "taxonomy:client_groups")),
        name="CareHub client groups",
        description="Who a service is for (older people, autistic people, carers...).",
    ),
}
TAXONOMY_BY_ID = {t.id: t for t in TAXONOMIES.values()}


def category_term_id(slug: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"category:{slug}"))


def client_group_term_id(slug: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"client_group:{slug}"))


def taxonomy_object(taxonomy: Taxonomy, terms: list[dict] | None = None) -> dict:
    data = {"id": taxonomy.id, "name": taxonomy.name, "description": taxonomy.description, "version": "1"}
    if terms is not None:
        data["taxonomy_terms"] = terms
    return data


def category_term(category: Category, parent_slug: str | None = None) -> dict:
    taxonomy = TAXONOMIES[CATEGORIES]
    term = {
        "id": category_term_id(category.slug),
        "name": category.name,
        "description": category.description,
        "taxonomy": taxonomy.name,
        "taxonomy_id": taxonomy.id,
        "term": category.slug,
    }
    if parent_slug:
        term["parent_id"] = category_term_id(parent_slug)
    return term


def client_group_term(group: ClientGroup) -> dict:
    taxonomy = TAXONOMIES[CLIENT_GROUPS]
    return {
        "id": client_group_term_id(group.slug),
        "name": group.name,
        "description": "",
        "taxonomy": taxonomy.name,
        "taxonomy_id": taxonomy.id,
        "term": group.slug,
    }


def taxonomy_terms_all() -> list[dict]:
    """Every term of both taxonomies, categories first (top level before its children), then client groups.

    Two queries; the vocabularies are small (about 60 and 10 rows)."""
    categories = list(Category.objects.select_related("parent").order_by("parent_id", "position", "name"))
    terms = [category_term(c, c.parent.slug if c.parent else None) for c in categories if c.parent_id is None]
    terms += [category_term(c, c.parent.slug) for c in categories if c.parent_id is not None]
    terms += [client_group_term(g) for g in ClientGroup.objects.order_by("name")]
    return terms
