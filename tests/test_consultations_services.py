"""Public comment services: submission and receipt numbers, acknowledgements, purging
personal data, exports, the demo period, the published result."""

import csv
import io
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from consultations.demo import DEMO_DAYS, demo_period_ensure
from consultations.models import Comment, CommentPeriod, CommentTopic
from consultations.results import period_result
from consultations.services.export import comments_csv, comments_xlsx
from consultations.services.shredder import PeriodNotClosedError, personal_data_purge
from consultations.services.submission import PeriodClosedError, comment_submit
from planportal import settings as configured
from policies.models import PolicyNode
from tests.consultations import EMAIL, NAME, close, demo_node, demo_period, submit

pytestmark = pytest.mark.django_db


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("no mail server")


def test_receipt_numbers_follow_each_other_within_a_period():
    period = demo_period()
    first, second = submit(period), submit(period)
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.receipt_number == f"PC{period.pk:03d}-00001"
    assert second.receipt_number == f"PC{period.pk:03d}-00002"


def test_no_comment_outside_the_period():
    period = close(demo_period())
    with pytest.raises(PeriodClosedError):
        submit(period)
    assert not Comment.objects.exists()


def test_a_failing_mail_server_does_not_lose_the_comment(settings, caplog):
    settings.EMAIL_BACKEND = "tests.test_consultations_services.BrokenMailServer"
    comment = submit(demo_period())
    assert Comment.objects.get() == comment
    assert comment.acknowledged_at is None
    assert "ConnectionRefusedError" in caplog.text and EMAIL not in caplog.text


def test_the_default_mail_backend_logs_no_address_and_no_receipt_number(settings, caplog, capsys):
    settings.EMAIL_BACKEND = configured.EMAIL_BACKEND  # the default: no EMAIL_BACKEND set
    with caplog.at_level(logging.DEBUG):
        comment = submit(demo_period())
    written = caplog.text + "".join(capsys.readouterr())
    assert EMAIL not in written and comment.receipt_number not in written
    assert "1 e-mail message(s) not sent" in written
    comment.refresh_from_db()
    assert comment.acknowledged_at is None  # nothing was sent


def test_purge_blanks_names_and_addresses_of_a_closed_period_only():
    period = demo_period()
    comment = submit(period, demo_node(), residence="川崎区", age_group="30s")
    with pytest.raises(PeriodNotClosedError):
        personal_data_purge(period=period)
    assert Comment.objects.get().name == NAME
    close(period)
    assert personal_data_purge(period=period) == 1
    comment.refresh_from_db()
    assert (comment.name, comment.email) == ("", "")
    assert (comment.text, comment.residence, comment.age_group) == ("意見です。", "川崎区", "30s")
    period.refresh_from_db()
    assert period.personal_data_purged_at is not None


def test_purge_command():
    period = demo_period()
    submit(period)
    with pytest.raises(CommandError, match="Not closed yet"):
        call_command("purge_comment_personal_data", "--period", str(period.pk), stdout=StringIO())
    with pytest.raises(CommandError, match="No comment period with id 999999"):
        call_command("purge_comment_personal_data", "--period", "999999", stdout=StringIO())
    out = StringIO()
    call_command("purge_comment_personal_data", stdout=out)  # nothing closed yet
    assert "Personal data of 0 comments purged." in out.getvalue()
    assert Comment.objects.get().email == EMAIL

    close(period)
    out = StringIO()
    call_command("purge_comment_personal_data", "--dry-run", stdout=out)
    assert "Personal data of 1 comments would be purged." in out.getvalue()
    assert Comment.objects.get().email == EMAIL
    call_command("purge_comment_personal_data", stdout=StringIO())
    assert Comment.objects.get().email == ""


def comments_with_a_formula():
    period = demo_period()
    submit(period, demo_node(), text='=HYPERLINK("http://evil.example")', residence="幸区")
    submit(period, None, text="普通の意見", name="", email="")
    return Comment.objects.all()


def test_csv_export_for_excel():
    content = comments_csv(comments_with_a_formula(), include_personal_data=False)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads Japanese
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["受付番号", "受付日時", "意見募集", "意見の対象", "意見"]
    assert "氏名" not in rows[0] and "メールアドレス" not in rows[0]
    assert rows[1][4] == '\'=HYPERLINK("http://evil.example")'  # never a formula
    assert rows[1][3] == demo_node().heading and rows[2][3] == "素案全体について"
    assert NAME not in content.decode("utf-8-sig") and EMAIL not in content.decode("utf-8-sig")


def test_csv_export_with_personal_data():
    content = comments_csv(comments_with_a_formula(), include_personal_data=True).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][-2:] == ["氏名", "メールアドレス"]
    assert rows[1][-2:] == [NAME, EMAIL]


def test_xlsx_export_keeps_text_as_text():
    content = comments_xlsx(comments_with_a_formula(), include_personal_data=False)
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "意見" and "氏名" not in rows[0]
    formula_cell = sheet.cell(row=2, column=5)
    assert formula_cell.value == '=HYPERLINK("http://evil.example")'
    assert formula_cell.data_type == "s"
    assert rows[1][5] == "幸区"


def test_xlsx_export_with_personal_data():
    content = comments_xlsx(comments_with_a_formula(), include_personal_data=True)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("氏名", "メールアドレス") and rows[1][-2:] == (NAME, EMAIL)


def test_demo_period_is_open_for_30_days_and_left_alone_while_it_runs():
    period = demo_period()
    assert period.is_open() and period.is_demonstration and period.is_published()
    assert period.closes_at - period.opens_at == timedelta(days=DEMO_DAYS)
    assert set(period.sections.values_list("level", flat=True)) == {0, 1}  # 章 and 節
    assert period.sections.count() == period.plan.nodes.filter(level__lte=1).count()
    again, created = demo_period_ensure()
    assert (again, created) == (period, False)


def test_a_new_demo_period_opens_when_the_last_one_has_closed():
    old = demo_period()
    later = old.closes_at + timedelta(days=3)
    new, created = demo_period_ensure(now=later)
    assert created and new != old
    assert new.is_open(later) and not new.is_open(later + timedelta(days=DEMO_DAYS))
    assert CommentPeriod.objects.filter(is_demonstration=True).count() == 2


def test_period_rules():
    period = demo_period()
    period.closes_at = period.opens_at
    with pytest.raises(ValidationError, match="募集終了日時は開始日時より後"):
        period.full_clean()
    period = demo_period()
    period.results_published = True
    with pytest.raises(ValidationError, match="募集終了後に公表できます"):
        period.full_clean()


def test_result_groups_topics_first_then_single_comments():
    period = demo_period()
    section = demo_node()
    topic = CommentTopic.objects.create(
        period=period, section=section, summary="負担軽減を求める意見", answer="検討します。"
    )
    single = submit(period, section, text="単独の意見")
    grouped = [submit(period, section, text=f"同趣旨{n}") for n in range(3)]
    draft = submit(period, section, text="未確認の意見")
    Comment.objects.filter(pk__in=[c.pk for c in grouped]).update(topic=topic, status="publish")
    Comment.objects.filter(pk=single.pk).update(status="publish", summary="単独の意見の概要")
    result = period_result(period)
    [section_result] = result.sections
    assert section_result.section == section and section_result.comment_count == 4
    topic_point, single_point = section_result.points
    assert (topic_point.summary, topic_point.answer, topic_point.comment_count) == (
        "負担軽減を求める意見",
        "検討します。",
        3,
    )
    assert (single_point.summary, single_point.comment_count) == ("単独の意見の概要", 1)
    assert draft.text not in [point.summary for point in section_result.points]
    assert result.comment_count == 4 and result.withheld_count == 0


def test_comment_submit_checks_the_section_belongs_to_the_plan():
    foreign = PolicyNode.objects.filter(plan__slug="zushi").first()
    with pytest.raises(ValidationError):
        comment_submit(period=demo_period(), section=foreign, text="意見")
    assert not Comment.objects.exists()


def test_schedule_instants_are_those_of_published_periods():
    period = demo_period()
    assert CommentPeriod.objects.schedule_instants() == [period.opens_at, period.closes_at]
    period.status = "draft"
    period.save()
    assert CommentPeriod.objects.schedule_instants() == []
