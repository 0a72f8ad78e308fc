"""The directory's REST API under /api/v1/ (names `directory-api:…`): postcode lookup, search, the portal."""

from directory.portal import urls as portal
from directory.search import urls as search

app_name = "directory-api"

urlpatterns = [*search.api_urlpatterns, *portal.api_urlpatterns]
