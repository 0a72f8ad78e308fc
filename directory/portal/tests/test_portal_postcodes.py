"""A listing's postcode is stored in the usual form by the portal's services themselves,
not only by the page's form: demo data, the API or a future caller get the same."""

from __future__ import annotations

from typing import Any

import pytest

from carehub.postcodes import InvalidPostcode
from directory.models import Postcode, Service, ServiceEdit
from directory.portal.services import service_create, service_update

pytestmark = pytest.mark.django_db


def test_portal_services_store_the_usual_form_of_a_postcode(cast: Any) -> None:
    Postcode.objects.create(postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923, precision="unit")
    service = service_create(
        actor=cast.provider_owner, provider=cast.provider, data={"name": "Visits", "postcode": "g128qq"}
    )
    assert (service.postcode, service.location_precision) == ("G12 8QQ", "unit")
    # The same postcode typed differently is no change (and leaves no edit record).
    service_update(actor=cast.provider_owner, service=service, data={"postcode": "G12-8QQ"})
    assert not ServiceEdit.objects.filter(service=service, field="postcode").exists()
    service_update(actor=cast.provider_owner, service=service, data={"postcode": ""})
    assert Service.objects.get(pk=service.pk).postcode == ""


def test_portal_services_refuse_a_postcode_that_is_not_real(cast: Any) -> None:
    with pytest.raises(InvalidPostcode) as refused:
        service_create(
            actor=cast.provider_owner, provider=cast.provider, data={"name": "Visits", "postcode": "G12 8QC"}
        )
    assert refused.value.field == "postcode"
    assert not Service.objects.filter(name="Visits").exists()
