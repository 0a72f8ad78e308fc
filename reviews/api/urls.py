from django.urls import path

from reviews.api import views

app_name = "reviews-api"

urlpatterns = [
    path("reviews/", views.ReviewListApi.as_view(), name="review-list"),
    path("reviews/moderation/", views.ModerationQueueApi.as_view(), name="moderation-queue"),
    path("reviews/<uuid:code>/", views.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<uuid:code>/withdraw/", views.ReviewWithdrawApi.as_view(), name="review-withdraw"),
    path("reviews/<uuid:code>/helpful/", views.ReviewHelpfulApi.as_view(), name="review-helpful"),
    path("reviews/<uuid:code>/reports/", views.ReviewReportApi.as_view(), name="review-report"),
    path("reviews/<uuid:code>/provider-flag/", views.ReviewProviderFlagApi.as_view(), name="review-provider-flag"),
    path("reviews/<uuid:code>/reply/", views.ReviewReplyApi.as_view(), name="review-reply"),
    path("reviews/<uuid:code>/decisions/", views.ModerationDecisionApi.as_view(), name="moderation-decision"),
    path("ratings/services/<uuid:code>/", views.ServiceRatingApi.as_view(), name="service-rating"),
    path("ratings/providers/<uuid:code>/", views.ProviderRatingApi.as_view(), name="provider-rating"),
]
