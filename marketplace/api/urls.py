from django.urls import path

from marketplace.api import views
from marketplace.api.bookings_urls import urlpatterns as booking_urlpatterns

app_name = "marketplace-api"

urlpatterns = [
    path("budgets/", views.BudgetListApi.as_view(), name="budget-list"),
    path("budgets/<uuid:code>/", views.BudgetDetailApi.as_view(), name="budget-detail"),
    path("budgets/<uuid:code>/statement/", views.BudgetStatementApi.as_view(), name="budget-statement"),
    path("budgets/<uuid:code>/commitments/", views.BudgetCommitApi.as_view(), name="budget-commit"),
    path("budgets/<uuid:code>/topups/", views.BudgetTopUpApi.as_view(), name="budget-topup"),
    path("budgets/<uuid:code>/allocations/", views.BudgetAllocateApi.as_view(), name="budget-allocate"),
    path("budgets/<uuid:code>/alert/", views.BudgetAlertApi.as_view(), name="budget-alert"),
    path(
        "commitments/<uuid:code>/release/",
        views.CommitmentActionApi.as_view(operation="release"),
        name="commitment-release",
    ),
    path(
        "commitments/<uuid:code>/settle/",
        views.CommitmentActionApi.as_view(operation="settle"),
        name="commitment-settle",
    ),
    path(
        "commitments/<uuid:code>/refund/",
        views.CommitmentActionApi.as_view(operation="refund"),
        name="commitment-refund",
    ),
    path("payouts/batches/", views.PayoutBatchCreateApi.as_view(), name="payout-batch-create"),
    path("payouts/<uuid:code>/result/", views.PayoutResultApi.as_view(), name="payout-result"),
    *booking_urlpatterns,  # bookings, messages and notifications (issue 6)
]
