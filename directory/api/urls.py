from django.urls import path

from directory.api import views

app_name = "directory-api"

urlpatterns = [
    path("postcodes/<str:postcode>/", views.PostcodeDetailApi.as_view(), name="postcode-detail"),
    path("services/", views.ServiceSearchApi.as_view(), name="service-search"),
]

# The provider portal's API (issue 4).
from directory.portal_api import urlpatterns as portal_urlpatterns  # noqa: E402

urlpatterns += portal_urlpatterns
