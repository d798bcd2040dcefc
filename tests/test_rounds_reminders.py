"""Reminders: the opening, N days before the deadline, on return; each sent once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from policies.models import Bureau
from rounds import services
from rounds.models import Reminder, Task
from rounds.reminders import send_reminders
from rounds.services import RowValues
from rounds.workflow import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed_editors(environment_editor, construction_editor):
    for user in (environment_editor, construction_editor):
        user.email = f"{user.username}@city.example.jp"
        user.save()
    return environment_editor, construction_editor


def subjects():
    return sorted((message.to[0], message.subject.split("】")[0]) for message in mail.outbox)


def test_the_opening_is_mailed_once_to_each_bureau_s_editors(city_round, mailed_editors):
    call_command("send_round_reminders", "--base-url", "https://plans.example.jp")
    assert subjects() == [
        ("env-editor@city.example.jp", "【評価作業"),
        ("road-editor@city.example.jp", "【評価作業"),
    ]
    message = next(m for m in mail.outbox if m.to == ["env-editor@city.example.jp"])
    assert "緑化推進事業" in message.body and "道路維持事業" not in message.body
    assert "令和5年度の実績を入力してください。" in message.body
    assert f"https://plans.example.jp/admin/rounds/round/{city_round.pk}/tasks/" in message.body
    call_command("send_round_reminders")
    assert len(mail.outbox) == 2  # nothing twice


def test_deadline_reminders_go_n_days_before_to_bureaus_not_done(
    city_round, mailed_editors, planner
):
    env_editor, _road_editor = mailed_editors
    send_reminders(today=city_round.deadline - datetime.timedelta(days=10))
    mail.outbox.clear()
    assert send_reminders(today=city_round.deadline - datetime.timedelta(days=8)) == 0
    # 環境局 submits everything; 建設局 does not.
    for task in Task.objects.filter(round=city_round, project__bureau__name="環境局"):
        services.record_row(
            task.pk, RowValues("済", {}, ""), user=env_editor, base_version=task.version
        )
        services.act_on([task.pk], Action.SUBMIT, user=env_editor)
    assert send_reminders(today=city_round.deadline - datetime.timedelta(days=7)) == 1
    assert [m.to for m in mail.outbox] == [["road-editor@city.example.jp"]]
    assert "期限" in mail.outbox[0].subject and "道路維持事業" in mail.outbox[0].body
    assert send_reminders(today=city_round.deadline - datetime.timedelta(days=6)) == 0
    assert send_reminders(today=city_round.deadline - datetime.timedelta(days=1)) == 1
    assert send_reminders(today=city_round.deadline) == 0
    construction = Bureau.objects.get(name="建設局")
    assert set(
        Reminder.objects.filter(bureau=construction, kind="deadline").values_list("key", flat=True)
    ) == {"7", "1"}


def test_a_late_first_run_sends_one_deadline_reminder_for_all_days_due(city_round, mailed_editors):
    assert send_reminders(today=city_round.deadline) == 2 + 2  # the opening and the deadline
    assert send_reminders(today=city_round.deadline) == 0


def test_a_return_is_mailed_once_with_planning_s_comment(city_round, mailed_editors, planner):
    env_editor, _road_editor = mailed_editors
    send_reminders()
    mail.outbox.clear()
    task = Task.objects.get(round=city_round, project__name="緑化推進事業")
    services.record_row(
        task.pk, RowValues("済", {}, ""), user=env_editor, base_version=task.version
    )
    services.act_on([task.pk], Action.SUBMIT, user=env_editor)
    services.act_on([task.pk], Action.RETURN, user=planner, comment="根拠を書いてください")
    assert send_reminders() == 1
    assert mail.outbox[0].to == ["env-editor@city.example.jp"]
    assert "根拠を書いてください" in mail.outbox[0].body
    assert send_reminders() == 0
