"""URLs of the search pages and the search and postcode API."""

from django.urls import path

from directory.search import api, views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("services/<uuid:code>/", views.service_detail, name="service-detail"),
]

api_urlpatterns = [
    path("postcodes/<str:postcode>/", api.PostcodeDetailApi.as_view(), name="postcode-detail"),
    path("services/", api.ServiceSearchApi.as_view(), name="service-search"),
]
