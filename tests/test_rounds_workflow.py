"""The status machine of an evaluation task (rounds.workflow), exhaustively."""

import itertools

import pytest

from rounds.workflow import (
    EDITABLE,
    TRANSITIONS,
    Action,
    Status,
    TransitionError,
    allowed,
    next_status,
)

EXPECTED = {
    (Status.NOT_STARTED, Action.SAVE): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.SAVE): Status.IN_PROGRESS,
    (Status.RETURNED, Action.SAVE): Status.RETURNED,
    (Status.IN_PROGRESS, Action.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
    (Status.APPROVED, Action.REOPEN): Status.IN_PROGRESS,
}


@pytest.mark.parametrize("status, action", list(itertools.product(Status, Action)))
def test_every_status_and_action(status, action):
    if (status, action) in EXPECTED:
        assert allowed(status, action)
        assert next_status(status, action) is EXPECTED[(status, action)]
    else:
        assert not allowed(status, action)
        with pytest.raises(TransitionError):
            next_status(status, action)


def test_the_table_is_the_expected_one():
    assert TRANSITIONS == EXPECTED


def test_a_submitted_or_approved_task_is_not_editable():
    assert EDITABLE == {Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED}


def test_an_approved_task_moves_only_by_reopening():
    assert [a for a in Action if allowed(Status.APPROVED, a)] == [Action.REOPEN]
