"""The published result of a period: 意見の概要と市の考え方, grouped by section.

Only comments that staff marked 公表する appear. A topic (論点) stands for
all of its comments, with one summary and one answer, and comes first in its
section; other comments follow one by one with their own summary (or text)
and answer. Sections come in the plan's printed order, the whole draft
first. Names and e-mail addresses are not even read.

A section the visitor may not see (one set back to 下書き since) is not named:
its comments are grouped at the end under 「現在公開していない章・節」.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from consultations.models import Comment, CommentPeriod
from policies.models import PolicyNode

WHOLE_DRAFT = _("素案全体について")
HIDDEN_SECTIONS = _("現在公開していない章・節")


@dataclass
class AnsweredPoint:
    summary: str
    answer: str
    comment_count: int
    is_topic: bool
    order: tuple = field(default=(), repr=False)


@dataclass
class SectionResult:
    section: PolicyNode | None  # None: the whole draft, or sections not shown
    points: list[AnsweredPoint] = field(default_factory=list)
    is_hidden: bool = False

    @property
    def heading(self) -> str:
        if self.section is not None:
            return self.section.heading
        return HIDDEN_SECTIONS if self.is_hidden else WHOLE_DRAFT

    @property
    def comment_count(self) -> int:
        return sum(point.comment_count for point in self.points)

    @property
    def order(self) -> tuple:
        """The whole draft first, then the sections in the plan's order, hidden ones last."""
        if self.section is not None:
            return (1, self.section.tree_id, self.section.lft)
        return (2, 0, 0) if self.is_hidden else (0, 0, 0)


@dataclass
class PeriodResult:
    sections: list[SectionResult]
    withheld_count: int

    @property
    def comment_count(self) -> int:
        return sum(section.comment_count for section in self.sections)


def period_result(
    period: CommentPeriod, *, visible: Callable = lambda queryset: queryset.published()
) -> PeriodResult:
    """The result as ``visible`` (``VisibleContentMixin.visible``) lets the visitor see it."""
    shown = visible(PolicyNode.objects.select_related("level_label"))
    comments = (
        Comment.objects.filter(period=period)
        .to_publish()
        .select_related("topic")
        .prefetch_related(
            Prefetch("section", queryset=shown), Prefetch("topic__section", queryset=shown)
        )
        .defer("name", "email")
        .order_by("sequence")
    )
    sections: dict[int | str | None, SectionResult] = {}
    topic_points: dict[int, AnsweredPoint] = {}

    def section_result(about):
        """The result of the section ``about`` (a comment or topic) is about."""
        hidden = about.section_id is not None and about.section is None
        key = "hidden" if hidden else about.section_id
        if key not in sections:
            sections[key] = SectionResult(section=about.section, is_hidden=hidden)
        return sections[key]

    for comment in comments:
        topic = comment.topic
        if topic is None:
            section_result(comment).points.append(
                AnsweredPoint(
                    comment.public_summary,
                    comment.answer,
                    1,
                    is_topic=False,
                    order=(1, comment.sequence),
                )
            )
        elif topic.pk in topic_points:
            topic_points[topic.pk].comment_count += 1
        else:
            point = AnsweredPoint(
                topic.summary, topic.answer, 1, is_topic=True, order=(0, topic.position, topic.pk)
            )
            topic_points[topic.pk] = point
            section_result(topic).points.append(point)
    for result in sections.values():
        result.points.sort(key=lambda point: point.order)
    withheld = Comment.objects.filter(period=period, status=Comment.Status.WITHHOLD).count()
    return PeriodResult(
        sections=sorted(sections.values(), key=lambda result: result.order),
        withheld_count=withheld,
    )
