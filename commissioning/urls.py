"""Commissioner dashboards (/commissioning/<council>/) and public council spending pages."""

from django.urls import path

from commissioning import views

app_name = "commissioning"

urlpatterns = [
    path("commissioning/", views.commissioning_home, name="home"),
    path("commissioning/<slug:council>/", views.commissioning_dashboard, name="dashboard"),
    path(
        "commissioning/<slug:council>/print/",
        views.commissioning_dashboard,
        {"print_view": True},
        name="dashboard-print",
    ),
    path("commissioning/<slug:council>/<slug:view>.csv", views.commissioning_csv, name="dashboard-csv"),
    path("councils/", views.council_list, name="council-list"),
    path("councils/<slug:council>/spending/", views.council_spending, name="council-spending"),
]
