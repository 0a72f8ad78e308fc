from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("services/<uuid:code>/", views.service_detail, name="service-detail"),
]

# Claims, the claims queue and the provider portal (issue 4).
from directory.portal_urls import urlpatterns as portal_urlpatterns  # noqa: E402

urlpatterns += portal_urlpatterns

# Vetting: providers' evidence and checks, the officers' queue (issue 8).
from directory.vetting_urls import urlpatterns as vetting_urlpatterns  # noqa: E402

urlpatterns += vetting_urlpatterns
