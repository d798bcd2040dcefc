"""What a visitor may see: one rule for every public page.

Citizens see published content; signed-in staff also see drafts, marked as
such (the preview). Every public view asks ``visible()`` for its content.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404


class VisibleContentMixin:
    """One place that decides what a visitor may see."""

    @property
    def is_preview(self) -> bool:
        user = self.request.user
        return user.is_authenticated and user.is_active and user.is_staff

    def visible(self, queryset):
        return queryset if self.is_preview else queryset.published()

    def visible_own(self, queryset):
        """``visible()`` of rows of content already found visible (the page's project, the
        projects under its node): only their own status is left to check. ``visible()``
        would repeat the projects' rules, which PostgreSQL takes a millisecond to plan
        in each query."""
        return queryset if self.is_preview else queryset.published_own()

    def visible_or_404(self, queryset, **lookup):
        """The one object ``lookup`` finds among what the visitor may see."""
        return get_object_or_404(self.visible(queryset), **lookup)

    def visible_related(self, model, name: str, *select_related: str) -> Prefetch:
        """The objects ``model``'s relation ``name`` refers to, for ``prefetch_related``,
        loaded by the rule of their own pages: to a visitor who may not see one, it
        reads as None (a foreign key) or is left out (a many-to-many). Every
        reference a page shows goes through this."""
        related = model._meta.get_field(name).related_model._default_manager.all()
        if select_related:
            related = related.select_related(*select_related)
        return Prefetch(name, queryset=self.visible(related))

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_preview=self.is_preview, **kwargs)


def last_updated(*groups):
    """The latest ``updated_at`` among the objects of ``groups`` (iterables of
    content already loaded for the page): the page's 「最終更新」. None if none."""
    stamps = [obj.updated_at for group in groups for obj in group if obj is not None]
    return max(stamps, default=None)
