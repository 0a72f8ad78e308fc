from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.models import User


def test_openapi_schema_is_served(client, db):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_api_docs_use_local_assets_not_a_cdn(client, db):
    body = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in body
    assert "cdn.jsdelivr.net" not in body


def test_ping_is_a_trivial_json_answer(client, db):
    response = client.get(reverse("api-ping"))
    assert response.json() == {"status": "ok"}


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path, operation)
        for path, by_method in schema["paths"].items()
        for method, operation in by_method.items()
    ]


def test_every_operation_in_the_schema_has_a_summary(db):
    operations = _operations()
    assert len(operations) > 50
    missing = [f"{method} {path}" for method, path, operation in operations if not operation.get("summary", "").strip()]
    assert not missing, f"operations without a summary: {missing}"


def test_operations_sharing_a_view_get_distinct_summaries(db):
    summaries = {(method, path): operation["summary"] for method, path, operation in _operations()}
    assert summaries[("POST", "/api/v1/bookings/{code}/accept/")] == "Move a booking on: accept"
    assert summaries[("POST", "/api/v1/bookings/{code}/decline/")] == "Move a booking on: decline"
    assert summaries[("GET", "/api/v1/")] == "Index of the API"


def test_schema_documents_bearer_tokens(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_api_index_lists_resources_and_links_to_schema_and_docs(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"
    assert body["resources"]["services"]["url"] == "http://testserver/api/v1/services/"
    assert body["resources"]["bookings"]["url"] == "http://testserver/api/v1/bookings/"
    assert {"budgets", "reviews", "threads", "open_referral_uk"} <= set(body["resources"])
    assert "Authorization: Bearer" in body["authentication"]
    assert "/accounts/api-tokens/" in body["authentication"]


def test_api_index_resources_all_answer(client, db):
    client.force_login(User.objects.create_user(email="dev@example.com", password="x" * 12, full_name="Dev"))
    for name, resource in client.get("/api/v1/").json()["resources"].items():
        status = client.get(resource["url"]).status_code
        assert status in (200, 400), (name, status)  # 400: a search that needs parameters
