from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.permissions import role_labels


def roles(request: HttpRequest) -> dict:
    # Lazy: pages that never show the header pay no queries.
    return {"user_roles": SimpleLazyObject(lambda: role_labels(request.user))}
