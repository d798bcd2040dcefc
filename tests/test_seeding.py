"""seed_demo loads every seed plan, published, and running it twice changes nothing."""

from io import StringIO

from django.core import serializers
from django.core.management import call_command

from consultations.models import CommentPeriod
from planportal.publication import PublicationStatus
from policies.models import (
    Criterion,
    CriterionLevel,
    EvaluationScheme,
    NodeText,
    Plan,
    PolicyNode,
    Strategy,
)
from projects.models import Project, ProjectListing, YearlyTarget
from schedule.models import Milestone, PlanPeriod

SLUGS = {"kawasaki", "kawasaki-2011", "zushi", "kawasaki-community", "tsurugashima"}
MODELS = [
    Plan,
    PolicyNode,
    NodeText,
    Strategy,
    Project,
    ProjectListing,
    YearlyTarget,
    PlanPeriod,
    Milestone,
    EvaluationScheme,
    Criterion,
    CriterionLevel,
    CommentPeriod,
]


def snapshot():
    return {
        model.__name__: serializers.serialize("json", model.objects.order_by("pk"))
        for model in MODELS
    }


def test_running_seed_demo_twice_changes_nothing(db):
    before = snapshot()  # the session already loaded the demo once
    call_command("seed_demo", stdout=StringIO())
    assert snapshot() == before


def test_all_five_seed_plans_are_there_and_published(db):
    plans = Plan.objects.filter(slug__in=SLUGS)
    assert set(plans.values_list("slug", flat=True)) == SLUGS
    assert not Plan.objects.exclude(status=PublicationStatus.PUBLISHED).exists()
    assert not PolicyNode.objects.exclude(status=PublicationStatus.PUBLISHED).exists()
    assert not Project.objects.exclude(status=PublicationStatus.PUBLISHED).exists()


def test_kawasaki_plan_from_seed_000(db):
    plan = Plan.objects.get(slug="kawasaki")
    assert plan.vision == "成長と成熟の調和による持続可能な最幸のまち かわさき"
    assert list(plan.basic_goals.values_list("title", flat=True)) == [
        "安心のふるさとづくり（成熟）",
        "力強い産業都市づくり（成長）",
    ]
    assert [level.name for level in plan.levels.all()] == ["基本政策", "政策", "施策"]
    periods = {p.name: (p.start_fiscal_year, p.end_fiscal_year) for p in plan.periods.all()}
    assert periods == {
        "基本構想": (2016, None),
        "基本計画": (2016, None),
        "第1期実施計画": (2016, 2017),
        "第2期実施計画": (2018, 2021),
        "第3期実施計画": (2022, 2025),
    }
    strategies = list(plan.strategies.all())
    assert [s.label for s in strategies] == [f"戦略{n}" for n in range(1, 8)]
    assert strategies[0].title == "「みんなで守る強くしなやかなまち」をめざす"
    assert strategies[0].direction.startswith("市民・事業者・行政等がそれぞれの役割")
    assert strategies[6].main_actions == "行財政改革の推進、健全な財政運営"
    # The document does not name the 5 basic policies: none are invented.
    assert not plan.nodes.exists()


def test_kawasaki_2011_tree_codes_as_printed(db):
    plan = Plan.objects.get(slug="kawasaki-2011")
    root = plan.nodes.get(parent=None, code="Ⅶ")
    assert root.title == "参加と協働による市民自治のまちづくり"
    assert [n.code for n in root.get_children()] == ["Ⅶ-1", "Ⅶ-2", "Ⅶ-3"]
    basic = plan.nodes.get(code="Ⅶ-1-(1)")
    assert basic.level_label.name == "基本施策"
    measures = basic.get_children()
    assert [m.title for m in measures] == [
        "自治基本条例に基づく自治の推進",
        "分権改革の推進",
        "情報共有、情報公開の推進",
    ]
    assert all(m.code == "" and m.level_label.name == "施策" for m in measures)
    kinds = list(measures[0].texts.values_list("kind", "heading"))
    assert kinds == [("situation", "現状と課題"), ("actions", "計画期間(2011～2013年度)の取組")]
    # A sentence cut by a page break is mended.
    situation = measures[0].texts.get(kind="situation").body
    assert "向上につなげていく必要があります。" in situation


def test_sectoral_plan_chapters_in_printed_order(db):
    plan = Plan.objects.get(slug="kawasaki-community")
    chapters = plan.nodes.filter(parent=None)
    assert [c.code for c in chapters] == [f"第{n}章" for n in range(1, 7)]
    chapter4 = plan.nodes.get(code="第4章")
    assert [c.code for c in chapter4.get_children()] == [str(n) for n in range(1, 8)]
    section6 = chapter4.get_children().get(code="6")
    assert [c.title for c in section6.get_children()] == [
        "町内会・自治会に関する新たな取組",
        "マンションコミュニティ等の住民自治組織に関する新たな取組",
    ]


def test_tsurugashima_names_nothing_it_does_not_print(db):
    plan = Plan.objects.get(slug="tsurugashima")
    assert plan.vision == "しあわせ共感 安心のまち つるがしま"
    assert (plan.start_fiscal_year, plan.end_fiscal_year) == (2025, 2029)
    assert [level.name for level in plan.levels.all()] == ["政策分野", "施策"]
    assert "7つの政策分野" in plan.summary and "40施策" in plan.summary
    assert not plan.nodes.exists() and not plan.strategies.exists()
    policy = Plan.objects.get(slug="tsurugashima-policy")
    assert policy.related_plan == plan and policy.kind == Plan.Kind.DRAFTING_POLICY


def test_kawasaki_drafting_schedule_from_seed_000(db):
    """The table under 4 計画策定までのスケジュール（予定）, on the plan it drafts."""
    milestones = list(Milestone.objects.filter(plan__slug="kawasaki").chronological())
    assert [(m.fiscal_year, m.when, m.title) for m in milestones] == [
        (2021, "4月中旬", "第3期実施計画策定方針の策定・公表"),
        (2021, "7月下旬", "サマーレビュー"),
        (2021, "8月下旬", "第3期実施計画「基本的な考え方」の策定・公表"),
        (2021, "11月下旬", "オータムレビュー"),
        (2021, "11月下旬", "第3期実施計画「素案」の策定・公表"),
        (2021, "12月中", "市民説明会、パブリックコメント手続の実施"),
        (2021, "2月上旬", "第3期実施計画「計画（案）」の策定・公表"),
        (2021, "3月下旬", "第3期実施計画の策定・公表"),
    ]
    assert [m.kind for m in milestones] == [
        "policy",
        "review",
        "policy",
        "review",
        "draft",
        "public_comment",
        "final_draft",
        "adoption",
    ]
    # The document says 予定: nothing is marked done.
    assert {m.progress for m in milestones} == {Milestone.Progress.PLANNED}
    assert {m.period.name for m in milestones} == {"第3期実施計画"}
    assert milestones[0].document.slug == "kawasaki-3rd-policy"
    assert [m.document_id for m in milestones[1:]] == [None] * 7
    assert (milestones[6].starts_on.isoformat(), milestones[6].ends_on.isoformat()) == (
        "2022-02-01",
        "2022-02-10",
    )


def test_tsurugashima_drafting_schedule_from_seed_004(db):
    """The quarters of 5. 主な策定作業スケジュール, one milestone per 《…》 step."""
    milestones = list(Milestone.objects.filter(plan__slug="tsurugashima").chronological())
    assert [(m.fiscal_year, m.when, m.title) for m in milestones] == [
        (2023, "4～6月", "策定基本方針等、庁内準備作業"),
        (2023, "7～9月", "市民意識調査及び基礎調査・ニーズ等の把握"),
        (2023, "7～9月", "現行計画の分析"),
        (2023, "10～12月", "調査結果の分析・まとめ"),
        (2023, "1～3月", "後期基本計画の素案検討"),
        (2024, "4～6月", "素案審議・まとめ"),
        (2024, "4～6月", "素案公表"),
        (2024, "7～9月", "後期基本計画の原案決定"),
        (2024, "10～12月", "議案の提出・議決"),
        (2024, "1～3月", "計画の策定"),
    ]
    assert milestones[2].details.splitlines() == [
        "前期基本計画の進捗確認・分析と課題抽出",
        "施策の成果・課題の把握（各課ヒアリング）",
    ]
    assert milestones[6].kind == "public_comment" and milestones[8].kind == "council"
    assert milestones[0].document.slug == "tsurugashima-policy"
    assert milestones[4].starts_on.isoformat() == "2024-01-01"  # 令和5年度の1～3月
    assert {m.period.name for m in milestones} == {"後期基本計画"}
    assert not Milestone.objects.exclude(status=PublicationStatus.PUBLISHED).exists()
