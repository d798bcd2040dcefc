"""Staff accounts' scopes and refused edits (imported by policies.models).

A staff user's groups say what kind of work they do (see policies.permissions);
their scope says on which part of the plan: one bureau (optionally one of its
sections) and/or one ward.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffScope(models.Model):
    """The part of the plan a bureau or ward editor may change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_scope",
        verbose_name=_("職員"),
    )
    bureau = models.ForeignKey(
        "policies.Bureau",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所管局"),
        help_text=_("局編集者：この局が所管する事業を編集できます。"),
    )
    division = models.ForeignKey(
        "policies.Division",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所管課"),
        help_text=_("指定すると、局の中でもこの課が所管する事業だけに限ります。"),
    )
    ward = models.ForeignKey(
        "policies.Ward",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区"),
        help_text=_("区編集者：この区の項目・事業と、その市の(各区)事業を編集できます。"),
    )

    class Meta:
        verbose_name = _("職員の担当範囲")
        verbose_name_plural = _("職員の担当範囲")
        permissions = [("publish_content", _("計画・項目・事業を公開する、下書きに戻す"))]

    def __str__(self):
        parts = [str(part) for part in (self.bureau, self.division, self.ward) if part]
        return f"{self.user}: {' / '.join(parts)}" if parts else str(self.user)

    def clean(self):
        if self.division_id and self.division.bureau_id != self.bureau_id:
            raise ValidationError({"division": _("所管課は所管局に属する課を選んでください。")})


class EditConflict(models.Model):
    """An edit refused because someone else had saved the same object first.

    Keeps what the refused editor submitted, so that nothing typed is lost.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("対象の種類")
    )
    object_id = models.CharField(_("対象のID"), max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("対象"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("保存できなかった職員"),
    )
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)
    base_version = models.PositiveIntegerField(_("編集を始めた版"))
    stored_version = models.PositiveIntegerField(_("保存されていた版"))
    changed_fields = models.CharField(_("先に変更された項目"), max_length=500, blank=True)
    submitted = models.JSONField(_("保存できなかった入力"), default=dict)

    class Meta:
        verbose_name = _("編集の衝突")
        verbose_name_plural = _("編集の衝突")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.object_repr} ({self.created_at:%Y-%m-%d %H:%M})"
