"""Who may change what: staff roles and scopes, enforced on the server.

Roles are Django groups (``sync_role_groups`` creates them with their model
permissions): plan administrators may do everything with plan content; bureau
editors change the projects of their bureau (or one of its sections); ward
editors change their ward's nodes and projects and the (各区) projects of their
city; reviewers only look. Superusers count as plan administrators.

A model permission says what kind of object a user may touch; the user's
``StaffScope`` says which ones. ``editable()`` and ``can_edit()`` are the one
place that decides; ``ScopedAdminMixin`` and ``ScopedInlineMixin`` apply them to
every admin view and write (change and delete forms, actions, list editing,
history reverts, autocomplete). Publishing has one rule as well
(``keep_publication`` and ``check_written``): a write by someone without the
publish permission keeps the stored status, and one that would change whether
citizens see an object is refused. A refusal found after the write rolls it
back and shows the form again, filled in, with the reason (``Refusal``).
Another app's admin view should call the same functions. Each app registers, in its ``AppConfig.ready``, what this module
must know of its models: the scope rule of each model a scoped editor may
change (``register_scope_rule``), its content models (``register_content_app``)
and what each role may do with them (``grant``); the app holding staff scopes
registers how to read one (``register_staff_scopes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from planportal.forms import NormalisedTextMixin
from planportal.publication import PublicationStatus

PLAN_ADMINS = "計画管理者"
BUREAU_EDITORS = "局編集者"
WARD_EDITORS = "区編集者"
REVIEWERS = "閲覧者"

NOTHING = Q(pk__in=[])

DENIED_MESSAGE = _("選択したものの中に、あなたの担当範囲外のものがあります。何も変更していません。")
OUT_OF_SCOPE_MESSAGE = _(
    "この内容では、あなたの担当範囲（%(scope)s）の外になるため保存していません。"
    "担当範囲に入るように、計画・区・所管局などを選び直してください。"
)
PUBLICATION_MESSAGE = _(
    "この変更で、市民向けページに表示されるかどうかが変わります（公開・非公開の変更）。"
    "公開する権限がないため保存していません。計画管理者に依頼してください。"
)


@dataclass(frozen=True)
class Scope:
    """What part of the plan one staff user may change."""

    unrestricted: bool = False
    bureau_id: int | None = None
    division_id: int | None = None
    ward_id: int | None = None
    municipality_id: int | None = None  # the city of the bureau or ward
    label: str = ""  # the scope in words (e.g. 「幸区」), for refusals


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    cached = getattr(user, "_planportal_scope", None)
    if cached is not None:
        return cached
    if not (user.is_authenticated and user.is_active and user.is_staff):
        scope = Scope()
    elif user.is_superuser or user.groups.filter(name=PLAN_ADMINS).exists():
        scope = Scope(unrestricted=True)
    else:
        scope = _staff.scope_loader(user)
    user._planportal_scope = scope
    return scope


@dataclass
class _StaffScopes:
    scope_loader: Callable[[object], Scope] = lambda user: Scope()
    publish_permission: str = ""


_staff = _StaffScopes()


def register_staff_scopes(scope_loader: Callable[[object], Scope], publish_permission: str):
    """How to read a scoped editor's ``Scope``, and the permission that lets a user publish."""
    _staff.scope_loader = scope_loader
    _staff.publish_permission = publish_permission


# --- scope rules: which rows of a model a scoped editor may change ----------


@dataclass(frozen=True)
class ScopeRule:
    condition: Callable[[Scope], Q]
    owner_field: str | None = None  # the FK whose object the row belongs to
    scope_fields: tuple[str, ...] = ()  # fields that decide the row's scope


_RULES: dict[type, ScopeRule] = {}


def register_scope_rule(model, condition: Callable[[Scope], Q], owner_field=None, scope_fields=()):
    """Let scoped editors change the rows of ``model`` that match ``condition(scope)``.

    Models without a rule are changed by plan administrators only. With
    ``owner_field``, a row belongs to another object (a target to its project):
    autocomplete for that field then offers only objects the editor may change.
    ``scope_fields`` decide which scope a row is in: a scoped editor may not change them.
    """
    _RULES[model] = ScopeRule(condition, owner_field, tuple(scope_fields))


def narrow_scope_rule(model, condition: Callable[[Scope], Q]) -> None:
    """Let an app above ``model``'s own narrow its rule: a scoped editor may change
    only the rows that match ``condition(scope)`` as well (e.g. a result under
    evaluation, once submitted, is planning's to change)."""
    rule = _RULES[model]
    _RULES[model] = ScopeRule(
        lambda scope: rule.condition(scope) & condition(scope),
        rule.owner_field,
        rule.scope_fields,
    )


def owned_by(owner_model, condition: Callable[[Scope], Q], field: str):
    """The condition for rows that belong (through ``field``) to owners matching ``condition``."""

    def owned(scope: Scope) -> Q:
        owners = owner_model._default_manager.filter(condition(scope))
        return Q(**{f"{field}__in": owners.values("pk")})

    return owned


# --- the questions every view asks ------------------------------------------


def is_unrestricted(user) -> bool:
    return scope_of(user).unrestricted


def editable(user, queryset):
    """The rows of ``queryset`` that ``user``'s scope covers (model permissions aside)."""
    scope = scope_of(user)
    if scope.unrestricted:
        return queryset
    rule = _RULES.get(queryset.model)
    if rule is None:
        return queryset.none()
    matching = queryset.model._default_manager.filter(rule.condition(scope)).values("pk")
    return queryset.filter(pk__in=matching)


def can_edit(user, obj) -> bool:
    """May ``user``'s scope change ``obj`` as it is stored now?"""
    if is_unrestricted(user):
        return True
    if obj is None or obj.pk is None:
        return False
    return editable(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_publish(user) -> bool:
    return user.is_active and user.has_perm(_staff.publish_permission)


# --- publishing: one rule for every write -------------------------------------


def is_publishable(model) -> bool:
    return hasattr(model, "is_published")


def is_public(obj) -> bool:
    """Do citizens see ``obj`` as stored now? (Its model's ``published()`` decides.)"""
    if obj is None or obj.pk is None or not is_publishable(type(obj)):
        return False
    return type(obj).objects.published().filter(pk=obj.pk).exists()


def keep_publication(user, instance, stored) -> None:
    """A write by a user who may not publish keeps the stored status and its stamp
    (a new object stays a draft), whatever a form or a history record says."""
    if can_publish(user) or not is_publishable(type(instance)):
        return
    if stored is None:
        instance.status, instance.published_at = PublicationStatus.DRAFT, None
    else:
        instance.status, instance.published_at = stored.status, stored.published_at


class Refusal(Exception):
    """A write that, once made inside the admin's transaction, turns out to be one
    the user may not make: it is rolled back and the form shown again with the reason."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def check_written(user, obj, was_public: bool) -> None:
    """After a write: the object is still in the user's scope, and whether citizens
    see it changed only if the user may publish (moving a published project under a
    published measure is publishing it)."""
    if not can_edit(user, obj):
        raise Refusal(OUT_OF_SCOPE_MESSAGE % {"scope": scope_of(user).label or _("なし")})
    if is_publishable(type(obj)) and not can_publish(user) and is_public(obj) != was_public:
        raise Refusal(PUBLICATION_MESSAGE)


# --- admin enforcement --------------------------------------------------------


def _autocomplete_source(request):
    if not (request.resolver_match and request.resolver_match.url_name == "autocomplete"):
        return None
    try:
        model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
    except (LookupError, ValueError):
        return None
    return model, request.GET.get("field_name")


class InScopeFilter(admin.SimpleListFilter):
    """A changelist filter for scoped editors: only what they may change."""

    title = _("担当範囲")
    parameter_name = "in_scope"

    def lookups(self, request, model_admin):
        return [("yes", _("編集できるもの"))]

    def queryset(self, request, queryset):
        return editable(request.user, queryset) if self.value() == "yes" else queryset


REFUSAL = "planportal_refusal"  # the request attribute that carries a ``Refusal``'s message


class RefusedForm(forms.BaseForm):
    """A form shown again after its write was refused: invalid, with the reason."""

    refusal = ""

    def _post_clean(self):
        super()._post_clean()
        self.add_error(None, self.refusal)


def with_refusal(request, view, *args):
    """Run an admin write view; when the write is refused, roll it back (the view's
    transaction) and run the view again, so the form comes back filled in, with why."""
    try:
        return view(*args)
    except Refusal as refusal:
        setattr(request, REFUSAL, refusal.message)
        return view(*args)


class ScopedAdminMixin(NormalisedTextMixin):
    """Apply the scope rules to a ModelAdmin: every read-write path checks them."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = super().changeform_view
        return with_refusal(request, view, request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        """List editing: a refused row rolls the whole list back, with why."""
        try:
            return super().changelist_view(request, extra_context)
        except Refusal as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, REFUSAL, None)
        if refusal is None:
            return form
        return type(form.__name__, (RefusedForm, form), {"refusal": refusal})

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.model in _RULES and not is_unrestricted(request.user):
            filters.insert(0, InScopeFilter)
        return filters

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_publish_permission(self, request):
        return can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_publishable(self.model) and not can_publish(request.user):
            fields.append("status")
        if obj is not None and not is_unrestricted(request.user):
            rule = _RULES.get(self.model)
            scope_fields = rule.scope_fields if rule else ()
            fields += [name for name in scope_fields if name not in fields]
        return fields

    def save_form(self, request, form, change):
        """The last gate before a write, whatever view got here (change forms, list
        editing, history reverts) and whatever ``save_model`` a subclass has:
        the stored object must be in scope."""
        stored = None
        if change:
            stored = self.model._default_manager.filter(pk=form.instance.pk).first()
            if stored is None or not self.has_change_permission(request, stored):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        instance = super().save_form(request, form, change)
        keep_publication(request.user, instance, stored)
        if not can_publish(request.user):
            instance._planportal_was_public = is_public(stored)
        return instance

    def save_formset(self, request, form, formset, change):
        """Inline rows that citizens may see follow the same publishing rule."""
        if not is_publishable(formset.model) or can_publish(request.user):
            return super().save_formset(request, form, formset, change)
        was_public = {}
        for row in formset.initial_forms:
            if row.instance.pk is not None and row.has_changed():
                stored = formset.model._default_manager.filter(pk=row.instance.pk).first()
                keep_publication(request.user, row.instance, stored)
                was_public[row.instance.pk] = is_public(stored)
        for row in formset.extra_forms:
            keep_publication(request.user, row.instance, None)
        super().save_formset(request, form, formset, change)
        written = [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]
        for obj in written:
            if is_public(obj) != was_public.get(obj.pk, False):
                raise Refusal(PUBLICATION_MESSAGE)

    def save_related(self, request, form, formsets, change):
        """After the many-to-many fields and inlines: the result must be in scope
        (no handing a project to another ward) and as public as before, unless the
        user may publish; else it is rolled back and the form shown again with why."""
        super().save_related(request, form, formsets, change)
        was_public = getattr(form.instance, "_planportal_was_public", False)
        check_written(request.user, form.instance, was_public)

    def delete_model(self, request, obj):
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if editable(request.user, queryset).count() != queryset.count():
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def get_actions(self, request):
        return {
            name: (_scoped_action(func), name, description)
            for name, (func, name, description) in super().get_actions(request).items()
        }

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = _autocomplete_source(request)
        if source is not None:
            rule = _RULES.get(source[0])
            if rule is not None and rule.owner_field == source[1]:
                queryset = editable(request.user, queryset)
        return queryset, may_have_duplicates


def _scoped_action(func):
    """An admin action that refuses, changing nothing, when any selected row is out of scope."""

    def action(modeladmin, request, queryset):
        if editable(request.user, queryset).count() != queryset.count():
            modeladmin.message_user(request, DENIED_MESSAGE, messages.ERROR)
            return None
        return func(modeladmin, request, queryset)

    for attribute in ("short_description", "allowed_permissions", "__name__"):
        if hasattr(func, attribute):
            setattr(action, attribute, getattr(func, attribute))
    return action


class ScopedInlineMixin(NormalisedTextMixin):
    """An inline is changed through its parent: only within the parent's scope, and
    its status (results have one) only by those who may publish."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_publishable(self.model) and not can_publish(request.user) and "status" not in fields:
            fields.append("status")
        return fields

    def has_add_permission(self, request, obj):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit(request.user, obj))


# --- the four groups ----------------------------------------------------------

_CONTENT_APPS: set[str] = set()
HISTORY_PREFIX = "historical"
_STAFF_ONLY_MODELS: set[str] = set()
# "view_" permissions that are not for every reviewer (e.g. citizens' names and e-mail addresses).
_PRIVATE_PERMISSIONS: set[str] = set()
# What each editor role may do beyond viewing, as "app_label.codename".
_GRANTS: dict[str, set[str]] = {BUREAU_EDITORS: set(), WARD_EDITORS: set()}


def register_content_app(app_label: str, staff_only=(), private_permissions=()) -> None:
    """The app's models are plan content: administrators change them, every role views them,
    except the models in ``staff_only`` and the ``private_permissions`` (codenames)."""
    _CONTENT_APPS.add(app_label)
    _STAFF_ONLY_MODELS.update(model._meta.model_name for model in staff_only)
    _PRIVATE_PERMISSIONS.update(private_permissions)


def grant(role: str, *labels: str) -> None:
    """Let editors of ``role`` do these ("app_label.codename") within their scope."""
    _GRANTS[role].update(labels)


def _content_permissions():
    return Permission.objects.filter(content_type__app_label__in=_CONTENT_APPS).exclude(
        content_type__model__startswith=HISTORY_PREFIX
    )


def role_permissions() -> dict[str, set[Permission]]:
    """Each group's permissions: what ``sync_role_groups`` gives them."""
    content = set(_content_permissions())
    viewing = {
        p
        for p in content
        if p.codename.startswith("view_")
        and p.content_type.model not in _STAFF_ONLY_MODELS
        and p.codename not in _PRIVATE_PERMISSIONS
    }

    def named(labels):
        found = set()
        for label in labels:
            app_label, codename = label.split(".")
            found.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    return {
        # Plan administrators also read the task queue: a failed PDF build and its error.
        PLAN_ADMINS: {p for p in content if p.codename not in _PRIVATE_PERMISSIONS}
        | named(["auth.view_user", "django_tasks_database.view_dbtaskresult"]),
        BUREAU_EDITORS: viewing | named(_GRANTS[BUREAU_EDITORS]),
        WARD_EDITORS: viewing | named(_GRANTS[WARD_EDITORS]),
        REVIEWERS: viewing,
    }


def sync_role_groups() -> dict[str, int]:
    """Create the four groups, or bring their permissions back to the definition."""
    counts = {}
    for name, permissions in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts
