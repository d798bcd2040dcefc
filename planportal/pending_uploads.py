"""A file waiting for confirmation: uploaded and previewed, then confirmed once.

The admin's imports (a plan's project tables, a round's workbook) show a
preview of everything a file would change before anything is written. The
preview step keeps the file in the cache under a random token, bound to the
user and to what it is for (``purpose`` and the object's key); the confirming
POST takes it back, once. Templates show the steps with
``admin/includes/pending_upload.html``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.translation import gettext as _

PENDING_TIMEOUT = 30 * 60
TOKEN_FIELD = "token"


@dataclass(frozen=True)
class PendingFile:
    name: str
    content: bytes
    options: dict = field(default_factory=dict)  # what the preview was made with


def hold(request, purpose: str, pk: int, pending: PendingFile) -> str:
    """Keep ``pending`` for the confirmation; the token the confirming form posts."""
    token = secrets.token_urlsafe(24)
    stored = {"user": request.user.pk, "purpose": purpose, "pk": pk, "file": pending}
    cache.set(_key(token), stored, PENDING_TIMEOUT)
    return token


def is_confirmation(request) -> bool:
    return request.method == "POST" and TOKEN_FIELD in request.POST


def take(request, purpose: str, pk: int) -> PendingFile | None:
    """The file the posted token holds for this user, purpose and object, forgotten
    as it is taken (a second confirmation finds nothing); None when expired."""
    token = request.POST.get(TOKEN_FIELD, "")
    stored = cache.get(_key(token)) if token else None
    if not stored or (stored["user"], stored["purpose"], stored["pk"]) != (
        request.user.pk,
        purpose,
        pk,
    ):
        return None
    cache.delete(_key(token))
    return stored["file"]


def expired(request, url: str):
    """Back to the upload, saying why."""
    messages.error(
        request, _("取り込みの確認の期限が切れました。もう一度ファイルを選んでください。")
    )
    return redirect(url)


def _key(token: str) -> str:
    return f"pending-upload:{token}"
