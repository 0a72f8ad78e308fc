"""URLs of the payouts API (in marketplace.api_urls)."""

from django.urls import path

from marketplace.payouts import api

api_urlpatterns = [
    path("payouts/batches/", api.PayoutBatchCreateApi.as_view(), name="payout-batch-create"),
    path("payouts/<uuid:code>/result/", api.PayoutResultApi.as_view(), name="payout-result"),
]
