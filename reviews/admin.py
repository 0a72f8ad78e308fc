"""Reviews admin: read-mostly; decisions go through the moderation pages so they are recorded."""

from django.contrib import admin

from reviews.models import ModerationDecision, ProviderReply, Report, Review, ServiceRating


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["code", "service", "overall", "status", "verified", "submitted_at", "published_at"]
    list_filter = ["status", "verified"]
    search_fields = ["code", "service__name", "title"]
    raw_id_fields = ["service", "provider", "person", "author", "booking"]
    readonly_fields = ["status", "counts_in_rating", "helpful_count", "hold_reasons"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["review", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]
    raw_id_fields = ["review", "reporter"]


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    list_display = ["review", "decision", "moderator", "from_status", "to_status", "created_at"]
    raw_id_fields = ["review", "moderator"]

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001 - Django's signature
        return False


@admin.register(ProviderReply)
class ProviderReplyAdmin(admin.ModelAdmin):
    list_display = ["review", "tag", "created_at", "updated_at"]
    raw_id_fields = ["review", "author"]


@admin.register(ServiceRating)
class ServiceRatingAdmin(admin.ModelAdmin):
    list_display = ["service", "review_count", "average", "score", "updated_at"]
    raw_id_fields = ["service"]
