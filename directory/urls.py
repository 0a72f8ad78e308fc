"""The directory's pages: each room (sub-package) lists its own URLs; names stay `directory:…`."""

from directory.advice import urls as advice
from directory.claims import urls as claims
from directory.events import urls as events
from directory.guide import urls as guide
from directory.portal import urls as portal
from directory.search import urls as search
from directory.vetting import urls as vetting

app_name = "directory"

urlpatterns = [
    *search.urlpatterns,
    *claims.urlpatterns,
    *portal.urlpatterns,
    *vetting.urlpatterns,
    *guide.urlpatterns,
    *advice.urlpatterns,
    *events.urlpatterns,
]
