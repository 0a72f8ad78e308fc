"""URLs of the information and advice pages."""

from django.urls import path

from directory.advice import views

urlpatterns = [
    path("advice/", views.advice_list, name="advice-list"),
    path("advice/<slug:slug>/", views.advice_detail, name="advice-detail"),
]
