"""Commissioner dashboard API: /api/v1/commissioning/<council GSS code or slug>/<view>/."""

from django.urls import path

from commissioning import api as views

app_name = "commissioning-api"

urlpatterns = [
    path("<slug:council>/summary/", views.CommissioningSummaryApi.as_view(), name="summary"),
    path("<slug:council>/spend-by-month/", views.CommissioningSpendByMonthApi.as_view(), name="spend-by-month"),
    path(
        "<slug:council>/spend-by-category/", views.CommissioningSpendByCategoryApi.as_view(), name="spend-by-category"
    ),
    path(
        "<slug:council>/spend-by-provider/", views.CommissioningSpendByProviderApi.as_view(), name="spend-by-provider"
    ),
    path("<slug:council>/spend-by-kind/", views.CommissioningSpendByKindApi.as_view(), name="spend-by-kind"),
    path("<slug:council>/unmet-demand/", views.CommissioningUnmetDemandApi.as_view(), name="unmet-demand"),
    path("<slug:council>/gaps/", views.CommissioningGapsApi.as_view(), name="gaps"),
]
