"""The marketplace's REST API under /api/v1/ (names `marketplace-api:…`)."""

from marketplace.bookings import urls as bookings
from marketplace.budgets import urls as budgets
from marketplace.payouts import urls as payouts

app_name = "marketplace-api"

urlpatterns = [*budgets.api_urlpatterns, *payouts.api_urlpatterns, *bookings.api_urlpatterns]
