from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("services/<uuid:code>/write/", views.review_write, name="review-write"),
    path("provider/", views.provider_reviews, name="provider-list"),
    path("moderation/", views.moderation_queue, name="moderation-queue"),
    path("moderation/<uuid:code>/", views.moderation_decide, name="moderation-decide"),
    path("<uuid:code>/", views.review_detail, name="review-detail"),
    path("<uuid:code>/helpful/", views.review_helpful, name="review-helpful"),
    path("<uuid:code>/report/", views.review_report, name="review-report"),
    path("<uuid:code>/reply/", views.review_reply, name="review-reply"),
    path("<uuid:code>/withdraw/", views.review_withdraw, name="review-withdraw"),
    path("<uuid:code>/check/", views.provider_flag, name="provider-flag"),
]
