"""The directory's pages: each room (sub-package) lists its own URLs; names stay `directory:…`."""

from directory.claims import urls as claims
from directory.portal import urls as portal
from directory.search import urls as search
from directory.vetting import urls as vetting

app_name = "directory"

urlpatterns = [*search.urlpatterns, *claims.urlpatterns, *portal.urlpatterns, *vetting.urlpatterns]
