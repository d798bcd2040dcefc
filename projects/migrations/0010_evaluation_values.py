"""The 達成度 and 評価結果 of each result become evaluation values of its project and year.

Each level of a result moves to the criterion of the same name in the scheme
that replaced its scale set (policies.0014), with the result's publication;
the result keeps its 実績 and 評価の説明. The results' history of those levels
becomes the values' history (see ``level_history_to_values``). Reversible: the
values of those two criteria go back onto the results (values of other criteria
have no place there and go; the values' history goes with its table).
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

CRITERIA = {"achievement": "達成度", "review": "評価結果"}


def immediate_constraints(schema_editor):
    """Check foreign keys at once, not at commit: PostgreSQL refuses to alter a table
    with checks still pending from rows written earlier in the same transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def levels_to_values(apps, schema_editor):
    immediate_constraints(schema_editor)  # PostgreSQL: the schema changes follow
    Result = apps.get_model("projects", "ProjectResult")
    Value = apps.get_model("projects", "EvaluationValue")
    Level = apps.get_model("policies", "CriterionLevel")
    new_levels = {
        (level.criterion.scheme.name, level.criterion.name, level.code): level
        for level in Level.objects.select_related("criterion__scheme")
    }
    values = []
    for result in Result.objects.select_related(
        "achievement__scale_set", "review__scale_set"
    ).iterator():
        for field, name in CRITERIA.items():
            old = getattr(result, field)
            if old is None:
                continue
            level = new_levels[(old.scale_set.name, name, old.code)]
            values.append(
                Value(
                    project_id=result.project_id,
                    fiscal_year=result.fiscal_year,
                    criterion_id=level.criterion_id,
                    level=level,
                    status=result.status,
                    published_at=result.published_at,
                    updated_at=result.updated_at,
                )
            )
    Value.objects.bulk_create(values, batch_size=1000)
    level_history_to_values(apps, schema_editor, new_levels)


def level_history_to_values(apps, schema_editor, new_levels):
    """Replay the results' history as the history of their values, so that a value's
    past levels stay readable after the levels leave the results.

    A value is one (project, year, criterion): a history row is written when its level,
    status or publication date changes (a result edit that left them alone changes
    no value), and a '-' row when its level is emptied or its result deleted. Each
    line from a '+' to a '-' carries one id: the live value's for the line still open,
    else a new id above every live one (the id sequence is moved past them so that no
    later value takes one). A level whose old scale level is gone is not known and
    leaves that row out."""
    Historical = apps.get_model("projects", "HistoricalProjectResult")
    Value = apps.get_model("projects", "EvaluationValue")
    HistoricalValue = apps.get_model("projects", "HistoricalEvaluationValue")
    ScaleLevel = apps.get_model("policies", "ScaleLevel")
    mapped = {}
    for old in ScaleLevel.objects.select_related("scale_set"):
        for name in CRITERIA.values():
            level = new_levels.get((old.scale_set.name, name, old.code))
            if level is not None:
                mapped[(old.pk, name)] = level
    last = {}  # (project, year, criterion name) -> (last row, its line) while the value lives
    lines = []  # [(project, year, criterion), rows, open?]: from a '+' to its '-'
    for row in Historical.objects.order_by("history_date", "history_id").iterator():
        for field, name in CRITERIA.items():
            old_id = None if row.history_type == "-" else getattr(row, f"{field}_id")
            level = None if old_id is None else mapped.get((old_id, name))
            if old_id is not None and level is None:
                continue
            slot = (row.project_id, row.fiscal_year, name)
            before, line = last.get(slot, (None, None))
            if before and (level is None or level.criterion_id != before.criterion_id):
                lines[line][1].append(history_row(HistoricalValue, row, before, "-"))
                lines[line][2] = False
                del last[slot]
                before = None
            if level is None:
                continue
            if before and (before.level_id, before.status, before.published_at) == (
                level.pk,
                row.status,
                row.published_at,
            ):
                continue
            if before is None:
                line = len(lines)
                lines.append([(row.project_id, row.fiscal_year, level.criterion_id), [], True])
            value = history_row(HistoricalValue, row, level, "~" if before else "+")
            lines[line][1].append(value)
            last[slot] = (value, line)
    live = {
        (project_id, year, criterion_id): pk
        for pk, project_id, year, criterion_id in Value.objects.filter(
            project__isnull=False, fiscal_year__isnull=False
        ).values_list("pk", "project_id", "fiscal_year", "criterion_id")
    }
    first_new = next_id = max(live.values(), default=0) + 1
    for key, rows, is_open in lines:
        pk = live.get(key) if is_open else None
        if pk is None:
            pk, next_id = next_id, next_id + 1
        for value in rows:
            value.id = pk
    HistoricalValue.objects.bulk_create(
        [value for _key, rows, _open in lines for value in rows], batch_size=1000
    )
    if next_id > first_new:
        skip_ids(schema_editor, Value._meta.db_table, next_id - 1)


def history_row(model, row, rated, history_type):
    """A history row of the value as of the result's history ``row``: ``rated`` is the
    value's level, or its last history row for a '-' row."""
    return model(
        project_id=row.project_id,
        fiscal_year=row.fiscal_year,
        criterion_id=rated.criterion_id,
        level_id=rated.level_id if history_type == "-" else rated.pk,
        status=row.status,
        published_at=row.published_at,
        updated_at=row.updated_at,
        history_date=row.history_date,
        history_type=history_type,
        history_user_id=row.history_user_id,
        history_change_reason=row.history_change_reason,
    )


def skip_ids(schema_editor, table, last):
    """Make the table's next new row take an id above ``last``."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last]
        )
    else:  # SQLite, whose AUTOINCREMENT never goes below the recorded sequence
        schema_editor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
        schema_editor.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last]
        )


def values_to_levels(apps, schema_editor):
    immediate_constraints(schema_editor)  # PostgreSQL: the schema changes follow
    Result = apps.get_model("projects", "ProjectResult")
    Value = apps.get_model("projects", "EvaluationValue")
    ScaleLevel = apps.get_model("policies", "ScaleLevel")
    old_levels = {
        (level.scale_set.name, level.scale, level.code): level
        for level in ScaleLevel.objects.select_related("scale_set")
    }
    scales = {name: field for field, name in CRITERIA.items()}
    for value in Value.objects.filter(
        project__isnull=False, fiscal_year__isnull=False, criterion__name__in=scales
    ).select_related("criterion__scheme", "level"):
        field = scales[value.criterion.name]
        level = old_levels.get((value.criterion.scheme.name, field, value.level.code))
        if level is None:
            continue
        result, _created = Result.objects.get_or_create(
            project_id=value.project_id,
            fiscal_year=value.fiscal_year,
            defaults={"status": value.status, "published_at": value.published_at},
        )
        setattr(result, field, level)
        result.save(update_fields=[field])
    Value.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0015_evaluation_schemes'),
        ('projects', '0009_import_jobs'),
        ('schedule', '0005_milestone_updated_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalEvaluationValue',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', '下書き'), ('published', '公開')], db_index=True, default='draft', help_text='「公開」にしたものだけが市民向けページに表示されます。', max_length=16, verbose_name='公開状態')),
                ('published_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='公開日時')),
                ('fiscal_year', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1869), django.core.validators.MaxValueValidator(2200)], verbose_name='評価する年度')),
                ('sheet_label', models.CharField(blank=True, help_text='評価する年度がわからないときのシートの表記（例：令和4年度評価シート）。', max_length=100, verbose_name='シートの表記')),
                ('explanation', models.TextField(blank=True, verbose_name='説明')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='更新日時')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('criterion', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.criterion', verbose_name='評価項目')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('level', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.criterionlevel', verbose_name='評価')),
                ('node', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.policynode', verbose_name='項目')),
                ('period', models.ForeignKey(blank=True, db_constraint=False, help_text='中間評価・期末評価の項目で、評価する計画期間。', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='schedule.planperiod', verbose_name='計画期間')),
                ('project', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.project', verbose_name='事業')),
            ],
            options={
                'verbose_name': 'historical 評価',
                'verbose_name_plural': 'historical 評価',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='EvaluationValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', '下書き'), ('published', '公開')], db_index=True, default='draft', help_text='「公開」にしたものだけが市民向けページに表示されます。', max_length=16, verbose_name='公開状態')),
                ('published_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='公開日時')),
                ('fiscal_year', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1869), django.core.validators.MaxValueValidator(2200)], verbose_name='評価する年度')),
                ('sheet_label', models.CharField(blank=True, help_text='評価する年度がわからないときのシートの表記（例：令和4年度評価シート）。', max_length=100, verbose_name='シートの表記')),
                ('explanation', models.TextField(blank=True, verbose_name='説明')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.criterion', verbose_name='評価項目')),
                ('level', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.criterionlevel', verbose_name='評価')),
                ('node', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evaluation_values', to='policies.policynode', verbose_name='項目')),
                ('period', models.ForeignKey(blank=True, help_text='中間評価・期末評価の項目で、評価する計画期間。', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='schedule.planperiod', verbose_name='計画期間')),
                ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evaluation_values', to='projects.project', verbose_name='事業')),
            ],
            options={
                'verbose_name': '評価',
                'verbose_name_plural': '評価',
                'ordering': ['criterion__position', 'fiscal_year', 'period', 'sheet_label', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('node__isnull', False), ('project__isnull', True)), models.Q(('node__isnull', True), ('project__isnull', False)), _connector='OR'), name='evaluationvalue_one_subject'), models.CheckConstraint(condition=models.Q(models.Q(('fiscal_year__isnull', False), ('period__isnull', True), ('sheet_label', '')), models.Q(('fiscal_year__isnull', True), ('period__isnull', False), ('sheet_label', '')), models.Q(('fiscal_year__isnull', True), ('period__isnull', True), models.Q(('sheet_label', ''), _negated=True)), _connector='OR'), name='evaluationvalue_one_time'), models.UniqueConstraint(condition=models.Q(('project__isnull', False), ('fiscal_year__isnull', False)), fields=('criterion', 'project', 'fiscal_year'), name='evaluationvalue_unique_project_fiscal_year'), models.UniqueConstraint(condition=models.Q(('project__isnull', False), ('period__isnull', False)), fields=('criterion', 'project', 'period'), name='evaluationvalue_unique_project_period'), models.UniqueConstraint(condition=models.Q(('project__isnull', False), models.Q(('sheet_label', ''), _negated=True)), fields=('criterion', 'project', 'sheet_label'), name='evaluationvalue_unique_project_sheet_label'), models.UniqueConstraint(condition=models.Q(('node__isnull', False), ('fiscal_year__isnull', False)), fields=('criterion', 'node', 'fiscal_year'), name='evaluationvalue_unique_node_fiscal_year'), models.UniqueConstraint(condition=models.Q(('node__isnull', False), ('period__isnull', False)), fields=('criterion', 'node', 'period'), name='evaluationvalue_unique_node_period'), models.UniqueConstraint(condition=models.Q(('node__isnull', False), models.Q(('sheet_label', ''), _negated=True)), fields=('criterion', 'node', 'sheet_label'), name='evaluationvalue_unique_node_sheet_label')],
            },
        ),
        migrations.RunPython(levels_to_values, values_to_levels),
        migrations.RemoveField(
            model_name='historicalprojectresult',
            name='achievement',
        ),
        migrations.RemoveField(
            model_name='historicalprojectresult',
            name='review',
        ),
        migrations.RemoveField(
            model_name='projectresult',
            name='achievement',
        ),
        migrations.RemoveField(
            model_name='projectresult',
            name='review',
        ),
    ]
