from django.contrib import admin

from marketplace.models import (
    Account,
    Budget,
    BudgetAlert,
    Commitment,
    Entry,
    LedgerTransaction,
    Payout,
    PayoutBatch,
    TopUp,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money rows change only through services: the admin shows them."""

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount_pence"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reason", "budget", "reference", "actor"]
    list_filter = ["reason"]
    inlines = [EntryInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "balance_pence"]
    list_filter = ["kind"]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "person", "funder", "kind", "period_start", "period_end"]


admin.site.register([Commitment, TopUp, PayoutBatch, Payout, BudgetAlert], ReadOnlyAdmin)
