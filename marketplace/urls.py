from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("", views.budget_list, name="budget-list"),
    path("<uuid:code>/", views.budget_detail, name="budget-detail"),
    path("<uuid:code>/statement/", views.budget_statement, name="budget-statement"),
    path("<uuid:code>/alert/", views.budget_alert, name="budget-alert"),
    path("<uuid:code>/top-up/", views.budget_topup, name="budget-topup"),
]
