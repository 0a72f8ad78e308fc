from django.urls import path

from . import views

app_name = "directory-api"

urlpatterns = [
    path("postcodes/<str:postcode>/", views.PostcodeDetailApi.as_view(), name="postcode-detail"),
    path("services/", views.ServiceSearchApi.as_view(), name="service-search"),
]
