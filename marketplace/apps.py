from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from marketplace.choosing.receivers import shortlist_keep_at_sign_in

        user_logged_in.connect(shortlist_keep_at_sign_in, dispatch_uid="marketplace.shortlist_keep_at_sign_in")
