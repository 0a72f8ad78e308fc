"""Domain errors raised by services.

Views turn them into form errors; the API turns them into 400/403/404/409
through one handler (carehub.api.exception_handler). The message is written
for the person reading it.
"""


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(DomainError):
    status_code = 403
    code = "not_permitted"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
