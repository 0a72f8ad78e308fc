"""URLs of budgets: pages (in marketplace.urls) and the budget and commitment API (in marketplace.api_urls)."""

from django.urls import path

from marketplace.budgets import api, views

urlpatterns = [
    path("budgets/", views.budget_list, name="budget-list"),
    path("budgets/<uuid:code>/", views.budget_detail, name="budget-detail"),
    path("budgets/<uuid:code>/statement/", views.budget_statement, name="budget-statement"),
    path("budgets/<uuid:code>/alert/", views.budget_alert, name="budget-alert"),
    path("budgets/<uuid:code>/top-up/", views.budget_topup, name="budget-topup"),
    # The funding council's pages: its commissioners see, its care managers set up and change.
    path("council/budgets/", views.council_budget_list, name="council-budget-list"),
    path("council/budgets/new/", views.council_budget_new, name="council-budget-new"),
    path("council/budgets/<uuid:code>/", views.council_budget_detail, name="council-budget-detail"),
    path("council/budgets/<uuid:code>/statement/", views.council_budget_statement, name="council-budget-statement"),
    path("council/budgets/<uuid:code>/allocate/", views.council_budget_allocate, name="council-budget-allocate"),
    path("council/budgets/<uuid:code>/adjust/", views.council_budget_adjust, name="council-budget-adjust"),
]

api_urlpatterns = [
    path("budgets/", api.BudgetListApi.as_view(), name="budget-list"),
    path("budgets/<uuid:code>/", api.BudgetDetailApi.as_view(), name="budget-detail"),
    path("budgets/<uuid:code>/statement/", api.BudgetStatementApi.as_view(), name="budget-statement"),
    path("budgets/<uuid:code>/commitments/", api.BudgetCommitApi.as_view(), name="budget-commit"),
    path("budgets/<uuid:code>/topups/", api.BudgetTopUpApi.as_view(), name="budget-topup"),
    path("budgets/<uuid:code>/allocations/", api.BudgetAllocateApi.as_view(), name="budget-allocate"),
    path("budgets/<uuid:code>/alert/", api.BudgetAlertApi.as_view(), name="budget-alert"),
    *(
        path(
            f"commitments/<uuid:code>/{operation}/",
            api.CommitmentActionApi.as_view(operation=operation),
            name=f"commitment-{operation}",
        )
        for operation in ("release", "settle", "refund")
    ),
]
