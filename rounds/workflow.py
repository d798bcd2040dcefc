"""The status machine of an evaluation task (評価の作業), in one place.

未着手 → 入力中 → 提出済 → 承認済, with 提出済 → 差戻し (planning's comment)
→ 提出済 again, and 承認済 → 入力中 when planning reopens it with a reason.
Bureaus save and submit; planning returns, approves and reopens. Pure Python:
the services ask ``next_status`` and never decide a transition themselves.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class Action(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    REOPEN = "reopen"


# Planning's actions; the others (save, submit) are the bureau's, i.e. whoever's
# scope covers the task.
PLANNING_ACTIONS = frozenset({Action.RETURN, Action.APPROVE, Action.REOPEN})

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.NOT_STARTED, Action.SAVE): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.SAVE): Status.IN_PROGRESS,
    (Status.RETURNED, Action.SAVE): Status.RETURNED,  # still returned until submitted again
    (Status.IN_PROGRESS, Action.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
    (Status.APPROVED, Action.REOPEN): Status.IN_PROGRESS,
}

# Actions that need a text from whoever takes them.
NEEDS_COMMENT = frozenset({Action.RETURN, Action.REOPEN})

EDITABLE = frozenset(status for status, action in TRANSITIONS if action is Action.SAVE)
DONE = frozenset({Status.SUBMITTED, Status.APPROVED})  # nothing left for the bureau


class TransitionError(ValueError):
    """The action is not possible from the task's status."""


def next_status(status: Status | str, action: Action | str) -> Status:
    try:
        return TRANSITIONS[(Status(status), Action(action))]
    except KeyError:
        raise TransitionError(f"{action} is not possible from {status}") from None


def allowed(status: Status | str, action: Action | str) -> bool:
    return (Status(status), Action(action)) in TRANSITIONS
