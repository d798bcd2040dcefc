"""Forms of the round pages: one grid row per task, and the planning's bulk forms."""

from __future__ import annotations

import copy

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from policies.models import Bureau, Division
from rounds.models import Round
from rounds.services import MAX_TEXT, RowValues


def criterion_field(criterion) -> str:
    """The grid's field of a criterion (its column's id is ``col-`` and this)."""
    return f"c{criterion.pk}"


class ScaleChoices:
    """The levels of the plan's yearly criteria as select choices, read once for every
    row of a page, with their options' HTML escaped once too (a page has 400 such
    selects). The form class has one field per criterion."""

    def __init__(self, criteria):
        self.criteria = list(criteria)
        self.by_pk = {
            str(level.pk): level for criterion in self.criteria for level in criterion.levels.all()
        }
        choices = {
            criterion_field(criterion): [("", "—")]
            + [(str(level.pk), str(level)) for level in criterion.levels.all()]
            for criterion in self.criteria
        }
        self.form_class = type("TaskRowForm", (TaskRowForm,), {"scales": self})
        self.form_class.base_fields = self._fields(choices)  # the metaclass sets its own
        self._options = {
            name: [
                (
                    value,
                    format_html('<option value="{}"', value),
                    format_html(">{}</option>", label),
                )
                for value, label in field_choices
            ]
            for name, field_choices in choices.items()
        }

    def _fields(self, choices):
        fields = copy.deepcopy(TaskRowForm.base_fields)
        comment = fields.pop("comment")
        for criterion in self.criteria:
            fields[criterion_field(criterion)] = forms.ChoiceField(
                label=criterion.name,
                required=False,
                show_hidden_initial=True,
                choices=choices[criterion_field(criterion)],
            )
        fields["comment"] = comment  # after the levels, as the grid's columns
        return fields

    def options_html(self, field_name: str, selected: str) -> str:
        return mark_safe(
            "".join(
                start + (" selected" if value == selected else "") + end
                for value, start, end in self._options[field_name]
            )
        )

    def form(self, *args, **kwargs) -> TaskRowForm:
        return self.form_class(*args, **kwargs)

    def initial_for(self, task, result, values) -> dict:
        """A row's initial values: ``values`` are the project's EvaluationValues of the year."""
        levels = {value.criterion_id: str(value.level_id) for value in values}
        return {
            "version": task.version,
            "actual": result.actual if result else "",
            "comment": result.comment if result else "",
        } | {
            criterion_field(criterion): levels.get(criterion.pk, "") for criterion in self.criteria
        }


class TaskRowForm(forms.Form):
    """One row of the grid: a project's result and levels for the round's year.

    The editable fields render their initial values as hidden inputs too
    (``show_hidden_initial``), so that a row counts as changed only when its
    editor changed it, whatever happened in the database meanwhile; ``version``
    is the row stamp the save is checked against. ``ScaleChoices`` adds one
    field per yearly criterion of the plan's scheme.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    actual = forms.CharField(
        label=_("実績"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        show_hidden_initial=True,
    )
    comment = forms.CharField(
        label=_("説明"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        show_hidden_initial=True,
    )

    scales: ScaleChoices  # set on the class ``ScaleChoices.form_class`` makes for a page

    @property
    def changed_data(self):
        """What its editor changed: the version stamp is not an edit."""
        return [name for name in super().changed_data if name != "version"]

    def level_fields(self):
        return [self[criterion_field(criterion)] for criterion in self.scales.criteria]

    def row_values(self) -> RowValues:
        data = self.cleaned_data
        return RowValues(
            actual=data["actual"].strip(),
            levels={
                criterion.pk: self.scales.by_pk.get(data[criterion_field(criterion)])
                for criterion in self.scales.criteria
            },
            comment=data["comment"].strip(),
        )


class AssignBureauForm(forms.Form):
    bureau = forms.ModelChoiceField(queryset=Bureau.objects.none(), label=_("所管局"))
    division = forms.ModelChoiceField(
        queryset=Division.objects.none(), label=_("所管課"), required=False
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        bureaus = Bureau.objects.filter(municipality_id=round.plan.municipality_id)
        self.fields["bureau"].queryset = bureaus
        self.fields["division"].queryset = Division.objects.filter(
            bureau__in=bureaus
        ).select_related("bureau")
