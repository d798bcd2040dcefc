"""Whole-site backups that restore into an empty database, on SQLite or PostgreSQL.

A backup is Django's JSON serialization of every table that matters — plan
content, its history, staff accounts, groups and scopes, refused edits, the
admin log — with natural keys, so that it does not depend on the ids of
content types and permissions, which ``migrate`` creates anew. The nested-set
numbers of the plan trees are stored as they are. Sessions and sign-in
attempt logs (django-axes) are left out: staff sign in again after a restore.
Timestamps keep Django's JSON precision, milliseconds.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from planportal.caching import bump_content_version
from policies import tree
from policies.models import Plan

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class RestoreError(Exception):
    pass


def dump_site(path: str) -> None:
    """Write the backup to ``path`` (compressed when it ends in .gz, .bz2, .xz)."""
    call_command(
        "dumpdata",
        *[f"--exclude={label}" for label in EXCLUDED],
        natural_foreign=True,
        natural_primary=True,
        indent=1,
        output=path,
        verbosity=0,
    )


def restore_site(path: str) -> int:
    """Load a backup into an empty, migrated database; returns the number of plans.

    Refuses a database that already holds plans or users: a restore is not a merge.
    """
    if Plan.objects.exists() or get_user_model().objects.exists():
        raise RestoreError("The database is not empty: restore into a freshly migrated database.")
    # The backup holds the history itself: loading must not add records
    # (loaddata sets many-to-many values the way an edit would).
    with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        call_command("loaddata", path, verbosity=0)
        problems = tree.check_trees()
        if problems:
            raise RestoreError(f"The restored plan trees are inconsistent: {problems[:5]}")
    bump_content_version()
    return Plan.objects.count()
