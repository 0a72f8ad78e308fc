"""Load demo data for `make run`. Idempotent: a second run changes nothing."""

from django.core.management.base import BaseCommand

from accounts import demo as accounts_demo
from directory import demo as directory_demo
from marketplace import demo as marketplace_demo


class Command(BaseCommand):
    help = "Load demo data (safe to run again) and print one demo login per role."

    def handle(self, *args: object, **options: object) -> None:
        provider, council = directory_demo.seed()
        accounts_demo.seed(provider=provider, council=council)
        marketplace_demo.seed(provider=provider, council=council)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready. Demo logins (password for all: {accounts_demo.DEMO_PASSWORD}):")
        )
        for email, _name, role in accounts_demo.DEMO_USERS.values():
            self.stdout.write(f"  {role:<24} {email}")
