"""The provider portal: providers and their listings, availability, staff invitations and freshness reminders."""
