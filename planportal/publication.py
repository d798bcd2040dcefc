"""Publication: content citizens see only once staff have published it.

``Publishable`` is the base of every model with a public page or a place on
one; ``PublishableQuerySet.publish()``/``unpublish()`` change many rows in one
stamped, versioned, recorded step.
"""

from django.db import models, transaction
from django.db.models import BooleanField, Expression, F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planportal.caching import bump_rows
from planportal.versioning import Versioned


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開")


class SqlCondition(Expression):
    """A condition written in SQL over columns of the query it filters, for visibility
    rules that every public query repeats: Django rebuilds and recompiles a nested
    queryset each time one is used (milliseconds each, many per page), this is
    formatted.

    ``template`` names each column as ``{name}``; ``columns`` map the names to
    fields (``home="home_node"``). Constant SQL only: no value from a request.
    """

    conditional = True

    def __init__(self, template: str, **columns: str):
        super().__init__(output_field=BooleanField())
        self.template = template
        self.names = list(columns)
        self.columns = [F(field) for field in columns.values()]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        compiled = {
            name: compiler.compile(column)[0]
            for name, column in zip(self.names, self.columns, strict=True)
        }
        return f"({self.template.format(**compiled)})", []


def any_related(model, *names: str, pk: str = "pk") -> SqlCondition:
    """Whether a row of ``model`` has a related row through any of ``names`` (many-to-many
    fields, or foreign keys' reverse sides: tags, indicators), as formatted SQL: a page
    then reads the related rows only of a row that has some, not an empty query a kind.
    ``pk`` is the field of the query's rows that holds the row's pk (``plan`` to ask of
    a node's plan)."""
    exists = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} related WHERE related.{column} = {{pk}})"
        for table, column in (_related_rows(model, name) for name in names)
    )
    return SqlCondition(exists, pk=pk)


def _related_rows(model, name: str) -> tuple[str, str]:
    """The table holding ``model``'s relation ``name`` and its column naming the row."""
    field = model._meta.get_field(name)
    if field.many_to_many:
        return field.m2m_db_table(), field.m2m_column_name()
    return field.related_model._meta.db_table, field.field.column  # a foreign key's reverse


def compiled(queryset) -> RawSQL:
    """``queryset`` compiled to SQL once, for ``field__in=`` in several queries of one
    request: Django builds and compiles a nested queryset again at each use (a
    millisecond or more for one through the visibility rules). Unordered, as Django
    leaves a nested queryset."""
    return RawSQL(*queryset.order_by().query.sql_with_params())


PUBLISHED_SQL = f"'{PublicationStatus.PUBLISHED}'"  # the status as an SQL literal


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.published_own()

    def published_own(self):
        """Rows published themselves, whatever they hang on: ``published()`` of rows a query
        already keeps to visible content (``project__in`` visible projects), whose rules
        ``published()`` would check again."""
        return self.filter(status=PublicationStatus.PUBLISHED)

    def publish(self) -> int:
        """Publish the drafts among these rows, stamping when."""
        return self._set_status(PublicationStatus.PUBLISHED, timezone.now(), _("公開"))

    def unpublish(self) -> int:
        return self._set_status(PublicationStatus.DRAFT, None, _("下書きに戻す"))

    def _set_status(self, status, published_at, reason) -> int:
        """One UPDATE, plus a history record per row and a new version (so that a
        form opened before this cannot silently undo it)."""
        model = self.model
        pks = list(self.exclude(status=status).values_list("pk", flat=True))
        if not pks:
            return 0
        values = {"status": status, "published_at": published_at}
        if issubclass(model, Versioned):
            values["version"] = F("version") + 1
        rows = model._default_manager.filter(pk__in=pks)
        with transaction.atomic():
            count = rows.update(**values)
            history = getattr(model, "history", None)
            if history is not None:
                records = history.bulk_history_create(
                    list(rows), update=True, default_change_reason=str(reason)
                )
                _record_tags(model, records)
        bump_rows(model, pks)
        return count


def _record_tags(model, records) -> None:
    """Give versions written in bulk their many-to-many tags, as a single save records
    them (``bulk_history_create`` does not): a revert to such a version keeps the tags."""
    if not records:
        return
    for field in getattr(records[0], "_history_m2m_fields", ()):
        historical = getattr(records[0], field.name).model
        through = field.remote_field.through
        source = field.m2m_field_name()
        rows = through.objects.filter(**{f"{source}__in": [record.id for record in records]})
        by_owner = {}
        for row in rows:
            by_owner.setdefault(getattr(row, f"{source}_id"), []).append(row)
        historical.objects.bulk_create(
            historical(
                history=record, **{f.attname: getattr(row, f.attname) for f in through._meta.fields}
            )
            for record in records
            for row in by_owner.get(record.id, [])
        )


class Publishable(models.Model):
    """Content that citizens see only once staff have published it."""

    status = models.CharField(
        _("公開状態"),
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
        help_text=_("「公開」にしたものだけが市民向けページに表示されます。"),
    )
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.is_published():
            self.published_at = None
        elif self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "published_at"}
        super().save(*args, **kwargs)

    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED
