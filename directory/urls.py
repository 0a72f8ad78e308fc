from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("services/<uuid:code>/", views.service_detail, name="service-detail"),
]
