"""URLs of payouts: pages (in marketplace.urls) and the payouts API (in marketplace.api_urls)."""

from django.urls import path

from marketplace.payouts import api, views

urlpatterns = [
    path("payouts/", views.payout_batch_list, name="payout-batch-list"),
    path("payouts/batches/<uuid:code>/", views.payout_batch_detail, name="payout-batch-detail"),
    path("payouts/batches/<uuid:code>/csv/", views.payout_batch_csv, name="payout-batch-csv"),
    path("payouts/<uuid:code>/paid/", views.payout_paid, name="payout-paid"),
    path("payouts/<uuid:code>/failed/", views.payout_failed, name="payout-failed"),
    path("payouts/providers/<uuid:code>/", views.provider_payouts, name="provider-payouts"),
]

api_urlpatterns = [
    path("payouts/batches/", api.PayoutBatchCreateApi.as_view(), name="payout-batch-create"),
    path("payouts/<uuid:code>/result/", api.PayoutResultApi.as_view(), name="payout-result"),
]
