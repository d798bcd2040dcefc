"""The Atom feed of 新着・更新情報 (``projects.changes``)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from projects.changes import latest_changes


class ChangesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("計画ポータル：新着・更新情報")

    def subtitle(self):
        return _("公開・更新された計画、項目、事業、評価と意見募集")

    def link(self):
        return reverse("policies:changes")

    def items(self):
        return latest_changes()

    def item_title(self, change):
        return f"{change.kind}{_('：')}{change.title}（{change.action}）"

    def item_description(self, change):
        return change.plan_title

    def item_link(self, change):
        return change.url

    def item_guid(self, change):
        """One entry per change: a page changed twice is two entries."""
        return f"urn:x-plan-portal:change:{change.url}@{change.when.isoformat()}"

    item_guid_is_permalink = False

    def item_updateddate(self, change):
        return change.when

    def item_pubdate(self, change):
        return change.when
