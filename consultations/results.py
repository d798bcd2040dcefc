"""The published result of a period: 意見の概要と市の考え方, grouped by section.

Only comments that staff marked 公表する appear. A topic (論点) stands for
all of its comments, with one summary and one answer, and comes first in its
section; other comments follow one by one with their own summary (or text)
and answer. Sections come in the plan's printed order, the whole draft
first. Names and e-mail addresses are not even read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consultations.models import Comment, CommentPeriod
from policies.models import PolicyNode


@dataclass
class AnsweredPoint:
    summary: str
    answer: str
    comment_count: int
    is_topic: bool
    order: tuple = field(default=(), repr=False)


@dataclass
class SectionResult:
    section: PolicyNode | None
    points: list[AnsweredPoint] = field(default_factory=list)

    @property
    def comment_count(self) -> int:
        return sum(point.comment_count for point in self.points)


@dataclass
class PeriodResult:
    sections: list[SectionResult]
    withheld_count: int

    @property
    def comment_count(self) -> int:
        return sum(section.comment_count for section in self.sections)


def _order(section: PolicyNode | None) -> tuple:
    return (0, 0, 0) if section is None else (1, section.tree_id, section.lft)


def period_result(period: CommentPeriod) -> PeriodResult:
    comments = (
        Comment.objects.filter(period=period)
        .to_publish()
        .select_related("section__level_label", "topic__section__level_label")
        .defer("name", "email")
        .order_by("sequence")
    )
    sections: dict[int | None, SectionResult] = {}
    topic_points: dict[int, AnsweredPoint] = {}

    def section_result(node):
        key = node.pk if node else None
        if key not in sections:
            sections[key] = SectionResult(section=node)
        return sections[key]

    for comment in comments:
        topic = comment.topic
        if topic is None:
            section_result(comment.section).points.append(
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
            section_result(topic.section).points.append(point)
    for result in sections.values():
        result.points.sort(key=lambda point: point.order)
    withheld = Comment.objects.filter(period=period, status=Comment.Status.WITHHOLD).count()
    return PeriodResult(
        sections=sorted(sections.values(), key=lambda result: _order(result.section)),
        withheld_count=withheld,
    )
