from django.urls import reverse


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
