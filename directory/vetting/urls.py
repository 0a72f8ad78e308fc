"""URLs for vetting (added to directory.urls)."""

from django.urls import path

from directory.vetting import views

urlpatterns = [
    path("vetting/", views.vetting_queue, name="vetting-queue"),
    path("vetting/evidence/<uuid:code>/", views.vetting_evidence_review, name="vetting-evidence-review"),
    path("vetting/evidence/<uuid:code>/file/", views.vetting_evidence_file, name="vetting-evidence-file"),
    path("portal/providers/<uuid:code>/vetting/", views.vetting_provider, name="vetting-provider"),
    path("portal/providers/<uuid:code>/vetting/check/", views.vetting_provider_check, name="vetting-provider-check"),
    path(
        "portal/providers/<uuid:code>/vetting/evidence/<slug:kind>/",
        views.vetting_evidence_add,
        name="vetting-evidence-add",
    ),
]
