"""Forms of the round pages: one grid row per task, and the planning's bulk forms."""

from __future__ import annotations

import copy

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from policies.models import Bureau, Division, ScaleLevel
from rounds.models import Round
from rounds.services import MAX_TEXT, RowValues


class ScaleChoices:
    """The plan's levels as select choices, read once for every row of a page, with
    their options' HTML escaped once too (a page has 400 such selects)."""

    def __init__(self, scales):
        levels = list(scales.levels.all()) if scales else []
        self.by_pk = {str(level.pk): level for level in levels}
        self.achievement = self._choices(levels, ScaleLevel.Scale.ACHIEVEMENT)
        self.review = self._choices(levels, ScaleLevel.Scale.REVIEW)
        self.form_class = type("TaskRowForm", (TaskRowForm,), {"scales": self})
        self.form_class.base_fields = self._fields()  # the metaclass sets its own
        self._options = {
            name: [
                (
                    value,
                    format_html('<option value="{}"', value),
                    format_html(">{}</option>", label),
                )
                for value, label in choices
            ]
            for name, choices in (("achievement", self.achievement), ("review", self.review))
        }

    @staticmethod
    def _choices(levels, scale):
        return [("", "—")] + [
            (str(level.pk), f"{level.code} {level.full_label}")
            for level in levels
            if level.scale == scale
        ]

    def _fields(self):
        fields = copy.deepcopy(TaskRowForm.base_fields)
        fields["achievement"].choices = self.achievement
        fields["review"].choices = self.review
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


class TaskRowForm(forms.Form):
    """One row of the grid: a project's result for the round's year.

    The editable fields render their initial values as hidden inputs too
    (``show_hidden_initial``), so that a row counts as changed only when its
    editor changed it, whatever happened in the database meanwhile; ``version``
    is the row stamp the save is checked against.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    actual = forms.CharField(
        label=_("実績"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        show_hidden_initial=True,
    )
    achievement = forms.ChoiceField(label=_("達成度"), required=False, show_hidden_initial=True)
    review = forms.ChoiceField(label=_("評価結果"), required=False, show_hidden_initial=True)
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

    def row_values(self) -> RowValues:
        data = self.cleaned_data
        return RowValues(
            actual=data["actual"].strip(),
            achievement=self.scales.by_pk.get(data["achievement"]),
            review=self.scales.by_pk.get(data["review"]),
            comment=data["comment"].strip(),
        )

    @classmethod
    def initial_for(cls, task, result) -> dict:
        return {
            "version": task.version,
            "actual": result.actual if result else "",
            "achievement": str(result.achievement_id or "") if result else "",
            "review": str(result.review_id or "") if result else "",
            "comment": result.comment if result else "",
        }


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
