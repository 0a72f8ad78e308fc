"""The ORUK endpoints under one stub, as the profile requires; carehub/urls.py mounts them
at /o/ServiceDirectoryService/v3/. Paths match with or without a trailing slash."""

from django.urls import re_path

from directory.oruk import api

app_name = "oruk"

_ID = r"(?P<id>[^/]{1,200})"

urlpatterns = [
    re_path(r"^$", api.OrukRootApi.as_view(), name="root"),
    re_path(r"^services/?$", api.OrukServiceListApi.as_view(), name="service-list"),
    re_path(rf"^services/{_ID}/?$", api.OrukServiceDetailApi.as_view(), name="service-detail"),
    re_path(r"^service_at_locations/?$", api.OrukServiceAtLocationListApi.as_view(), name="service-at-location-list"),
    re_path(
        rf"^service_at_locations/{_ID}/?$",
        api.OrukServiceAtLocationDetailApi.as_view(),
        name="service-at-location-detail",
    ),
    re_path(r"^taxonomies/?$", api.OrukTaxonomyListApi.as_view(), name="taxonomy-list"),
    re_path(rf"^taxonomies/{_ID}/?$", api.OrukTaxonomyDetailApi.as_view(), name="taxonomy-detail"),
    re_path(r"^taxonomy_terms/?$", api.OrukTaxonomyTermListApi.as_view(), name="taxonomy-term-list"),
    re_path(rf"^taxonomy_terms/{_ID}/?$", api.OrukTaxonomyTermDetailApi.as_view(), name="taxonomy-term-detail"),
    re_path(r"^.*$", api.OrukNotFoundApi.as_view(), name="not-found"),
]
