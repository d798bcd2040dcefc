"""The citizen's comment form: one comment on one section (or the whole draft)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from consultations.models import Comment
from consultations.text import MAX_COMMENT_LENGTH, MAX_NAME_LENGTH, clean_text
from projects.search import ContentSelect

WHOLE_DRAFT = "whole"
OUTSIDE_CITY = "市外"
INSIDE_CITY = "市内"
SUBMITTED_FIELDS = ("section", "text", "name", "residence", "age_group", "email")
MAX_EMAIL_LENGTH = Comment._meta.get_field("email").max_length


class NormalizedCharField(forms.CharField):
    """One line of text, normalized (``clean_text``) before it is validated: NFKC can
    lengthen it (one U+FDFA becomes 18 characters), and the limit is on what is stored."""

    def to_python(self, value):
        return super().to_python(clean_text(value or "", multiline=False))


class NormalizedEmailField(NormalizedCharField, forms.EmailField):
    """An address typed in full-width characters is still an address."""


class CommentForm(forms.Form):
    """Validates everything on every step (input, confirmation, submission).

    ``sections`` are the nodes the period lists, in tree order; ``wards`` the
    names of the city's wards (a city without wards offers 市内 / 市外).
    """

    section = forms.ChoiceField(
        label=_("意見の対象"),
        widget=ContentSelect,
        help_text=_("どの章・節についての意見かを選んでください。"),
        error_messages={"required": _("意見の対象を選んでください。")},
    )
    text = forms.CharField(
        label=_("ご意見"),
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": MAX_COMMENT_LENGTH}),
        help_text=format_lazy(
            _("{count}字以内で入力してください。"), count=f"{MAX_COMMENT_LENGTH:,}"
        ),
        error_messages={"required": _("ご意見を入力してください。")},
        strip=False,
    )
    name = NormalizedCharField(
        label=_("氏名"),
        required=False,
        max_length=MAX_NAME_LENGTH,
        help_text=_("公表しません。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "max_length": _(
                "氏名は%(limit_value)d字以内にしてください（文字の形をそろえると%(show_value)d字になります）。"
            )
        },
    )
    residence = forms.ChoiceField(label=_("お住まい"), required=False, widget=ContentSelect)
    age_group = forms.ChoiceField(
        label=_("年代"),
        required=False,
        choices=[("", _("回答しない")), *Comment.AgeGroup.choices],
    )
    email = NormalizedEmailField(
        label=_("メールアドレス"),
        required=False,
        max_length=MAX_EMAIL_LENGTH,
        error_messages={"max_length": _("メールアドレスは%(limit_value)d字以内にしてください。")},
        help_text=_(
            "受付番号をお知らせする確認メールを希望する方だけ入力してください。公表しません。"
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # A trap for robots: hidden from people (and assistive technology), who leave it empty.
    homepage = forms.CharField(
        label=_("この欄は入力しないでください（迷惑投稿対策）"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, sections, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {str(node.pk): node for node in sections}
        top = min((node.level for node in sections), default=0)
        self.fields["section"].choices = [
            ("", _("選択してください")),
            (WHOLE_DRAFT, _("素案全体について")),
            *[
                (key, "\u3000" * (node.level - top) + str(node))
                for key, node in self.sections.items()
            ],
        ]
        places = list(wards) or [INSIDE_CITY]
        self.fields["residence"].choices = [
            ("", _("回答しない")),
            *[(place, place) for place in places],
            (OUTSIDE_CITY, _("市外")),
        ]

    def clean_section(self):
        """The chosen node, or None for the whole draft."""
        value = self.cleaned_data["section"]
        return None if value == WHOLE_DRAFT else self.sections[value]

    def clean_text(self):
        text = clean_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("ご意見を入力してください。"))
        if len(text) > MAX_COMMENT_LENGTH:
            raise forms.ValidationError(
                _("ご意見は%(limit)s字以内にしてください（現在%(count)s字）。")
                % {"limit": f"{MAX_COMMENT_LENGTH:,}", "count": f"{len(text):,}"}
            )
        return text

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise forms.ValidationError(
                _("「この欄は入力しないでください」の欄に入力があったため、送信できません。")
            )
        return ""

    def submission(self) -> dict:
        """The cleaned values the submission service takes (all but the robot trap)."""
        return {name: self.cleaned_data[name] for name in SUBMITTED_FIELDS}

    def values_for_display(self) -> list[tuple[str, str]]:
        """The cleaned values as the confirmation screen lists them."""
        data = self.cleaned_data
        section = data["section"]
        return [
            (self.fields["section"].label, section.heading if section else _("素案全体について")),
            (self.fields["text"].label, data["text"]),
            (self.fields["name"].label, data["name"]),
            (self.fields["residence"].label, data["residence"]),
            (
                self.fields["age_group"].label,
                Comment.AgeGroup(data["age_group"]).label if data["age_group"] else "",
            ),
            (self.fields["email"].label, data["email"]),
        ]
