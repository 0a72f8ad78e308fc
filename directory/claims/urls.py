"""URLs of claims: a provider claims a listing; vetting officers decide (in directory.urls)."""

from django.urls import path

from directory.claims import views

urlpatterns = [
    path("services/<uuid:code>/claim/", views.claim_create, name="claim-create"),
    path("vetting/claims/", views.claim_queue, name="claim-queue"),
    path("vetting/claims/<uuid:code>/", views.claim_review, name="claim-review"),
    path("vetting/claims/<uuid:code>/evidence/", views.claim_evidence, name="claim-evidence"),
]
