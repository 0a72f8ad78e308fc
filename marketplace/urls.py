"""The marketplace's pages: each room (sub-package) lists its own URLs; names stay `marketplace:…`."""

from marketplace.bookings import urls as bookings
from marketplace.budgets import urls as budgets
from marketplace.choosing import urls as choosing
from marketplace.messaging import urls as messaging
from marketplace.payouts import urls as payouts

app_name = "marketplace"

urlpatterns = [
    *budgets.urlpatterns,
    *payouts.urlpatterns,
    *bookings.urlpatterns,
    *messaging.urlpatterns,
    *choosing.urlpatterns,
    *bookings.action_urlpatterns,
]
