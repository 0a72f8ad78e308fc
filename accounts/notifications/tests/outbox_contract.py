"""The outbox contract every sender of e-mail is tested against (ADR 6), as the `outbox_contract` fixture.

A sender is a change (a service call) that tells someone by e-mail. Each check runs the
change and asserts one promise of the outbox:

- `rolled_back(change)`: the e-mail is written in the change's own transaction, and a
  rolled-back change leaves no outbox row and sends nothing;
- `delivered_once(change)`: committed, the delivery task sends each e-mail once, and
  running the task again (a redelivered message) or the periodic re-send sends nothing more;
- `resent_after_broker_lost(change)`: the broker refuses the enqueue after commit; the
  change stands, nothing is sent until the periodic task runs, which sends each e-mail once.

The two last return the e-mails sent, for the test to check recipients and wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.notifications.models import OutboxMessage
from accounts.notifications.tasks import notification_deliver, notifications_redispatch


class _RolledBack(Exception):
    pass


@dataclass
class OutboxContract:
    capture_on_commit: Any
    monkeypatch: pytest.MonkeyPatch
    time_machine: Any

    def rolled_back(self, change: Callable[[], object]) -> None:
        before, sent = self._ids(), len(mail.outbox)
        with self.capture_on_commit(execute=True) as callbacks, pytest.raises(_RolledBack), transaction.atomic():
            change()
            assert self._new(before).exists(), "the change wrote no e-mail to the outbox in its transaction"
            raise _RolledBack
        assert callbacks == []  # nothing was enqueued for a change that never happened
        assert not self._new(before).exists()
        assert len(mail.outbox) == sent

    def delivered_once(self, change: Callable[[], object]) -> list[EmailMessage]:
        self._settle_earlier_messages()
        before, start = self._ids(), len(mail.outbox)
        with self.capture_on_commit(execute=True):
            change()
        new = self._new(before)
        assert new.exists(), "the change wrote no e-mail to the outbox"
        assert not new.filter(delivered_at__isnull=True).exists()
        sent = mail.outbox[start:]
        assert len(sent) == new.count()  # one e-mail per outbox row
        for outbox_id in new.values_list("pk", flat=True):
            assert notification_deliver.apply(args=(outbox_id,)).get() is False
        after = timedelta(seconds=settings.NOTIFICATIONS_REDISPATCH_AFTER_SECONDS + 1)
        self.time_machine.move_to(timezone.now() + after)
        assert notifications_redispatch.apply().get() == 0
        assert mail.outbox[start:] == sent
        return sent

    def resent_after_broker_lost(self, change: Callable[[], object]) -> list[EmailMessage]:
        self._settle_earlier_messages()
        before, start = self._ids(), len(mail.outbox)

        def broker_down(*args: object, **kwargs: object) -> None:
            raise OperationalError("Error 111 connecting to the broker. Connection refused.")

        self.time_machine.move_to(timezone.now())
        with self.monkeypatch.context() as patch:
            patch.setattr(notification_deliver, "apply_async", broker_down)
            with self.capture_on_commit(execute=True) as callbacks:
                change()  # the change commits; the enqueue after commit fails quietly
        assert callbacks, "nothing was enqueued after commit"
        new = self._new(before)
        assert new.exists(), "the change wrote no e-mail to the outbox"
        assert new.filter(delivered_at__isnull=True).count() == new.count()
        assert len(mail.outbox) == start
        assert notifications_redispatch.apply().get() == 0  # too fresh: its own task may still be on the way
        self.time_machine.shift(timedelta(seconds=settings.NOTIFICATIONS_REDISPATCH_AFTER_SECONDS + 1))
        assert notifications_redispatch.apply().get() == new.count()
        assert notifications_redispatch.apply().get() == 0
        sent = mail.outbox[start:]
        assert len(sent) == new.count()
        for outbox_id in new.values_list("pk", flat=True):
            assert notification_deliver.apply(args=(outbox_id,)).get() is False  # the lost task turns up late
        assert mail.outbox[start:] == sent
        return sent

    @staticmethod
    def _ids() -> set[int]:
        return set(OutboxMessage.objects.values_list("pk", flat=True))

    @staticmethod
    def _new(before: set[int]) -> QuerySet[OutboxMessage]:
        return OutboxMessage.objects.exclude(pk__in=before)

    @staticmethod
    def _settle_earlier_messages() -> None:
        # E-mails of the test's set-up were never delivered (its on_commit callbacks did not
        # run); they are not the sender under test, so the re-send must not count them.
        OutboxMessage.objects.filter(delivered_at__isnull=True).update(delivered_at=timezone.now())


@pytest.fixture
def outbox_contract(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch, time_machine: Any
) -> Iterator[OutboxContract]:
    yield OutboxContract(django_capture_on_commit_callbacks, monkeypatch, time_machine)
