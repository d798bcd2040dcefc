"""What a visitor may see: one rule for every public page.

Citizens see published content; signed-in staff also see drafts, marked as
such (the preview). Every public view asks ``visible()`` for its content.
"""

from django.shortcuts import get_object_or_404


class VisibleContentMixin:
    """One place that decides what a visitor may see."""

    @property
    def is_preview(self) -> bool:
        user = self.request.user
        return user.is_authenticated and user.is_active and user.is_staff

    def visible(self, queryset):
        return queryset if self.is_preview else queryset.published()

    def visible_or_404(self, queryset, **lookup):
        """The one object ``lookup`` finds among what the visitor may see."""
        return get_object_or_404(self.visible(queryset), **lookup)

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=self.is_preview, **kwargs)
