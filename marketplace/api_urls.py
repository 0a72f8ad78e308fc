"""The marketplace's REST API under /api/v1/ (names `marketplace-api:…`)."""

from marketplace.bookings import urls as bookings
from marketplace.budgets import urls as budgets

app_name = "marketplace-api"

urlpatterns = [*budgets.api_urlpatterns, *bookings.api_urlpatterns]
