"""URLs of choosing care: shortlists, comparing, sharing and saved searches (in marketplace.urls)."""

from django.urls import path

from marketplace.choosing import views

urlpatterns = [
    path("shortlist/", views.shortlist, name="shortlist"),
    path("shortlist/add/", views.shortlist_add, name="shortlist-add"),
    path("shortlist/compare/", views.shortlist_compare, name="shortlist-compare"),
    path("shortlist/share/", views.shortlist_share, name="shortlist-share"),
    path("shortlist/share/turn-off/", views.shortlist_share_revoke, name="shortlist-share-revoke"),
    path("shortlist/remove/<uuid:service_code>/", views.shortlist_remove, name="shortlist-remove"),
    path("shortlist/shared/<str:token>/", views.shortlist_shared, name="shortlist-shared"),
    path("shortlist/<uuid:code>/", views.shortlist_detail, name="shortlist-detail"),
    path("saved-searches/", views.saved_search_list, name="saved-search-list"),
    path("saved-searches/new/", views.saved_search_new, name="saved-search-new"),
    path("saved-searches/unsubscribe/<str:token>/", views.saved_search_unsubscribe, name="saved-search-unsubscribe"),
    path("saved-searches/<uuid:code>/", views.saved_search_detail, name="saved-search-detail"),
    path("saved-searches/<uuid:code>/delete/", views.saved_search_delete, name="saved-search-delete"),
]
