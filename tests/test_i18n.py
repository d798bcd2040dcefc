"""The English UI: every message of the catalogue is translated, and the compiled
catalogue the site loads says the same as the source."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def unquote(text: str) -> str:
    return "".join(ast.literal_eval(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', text))


def po_messages():
    """(context or None, msgid, msgstr) of every singular message in the .po file."""
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        if "msgid_plural" in block or "msgid " not in block:
            continue
        block = "\n".join(line for line in block.splitlines() if not line.startswith("#"))
        head, _, msgstr = block.partition("\nmsgstr ")
        head, _, msgid = head.partition("msgid ")
        context = unquote(head.split("msgctxt ", 1)[1]) if "msgctxt " in head else None
        yield context, unquote(msgid), unquote(msgstr)


def test_every_message_has_an_english_translation():
    untranslated = [
        block
        for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]
        if "#, fuzzy" in block or re.search(r'^msgstr(\[\d\])? ""\s*$', block, re.M)
    ]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations(PO.with_suffix(".mo").open("rb"))
    stale = [
        msgid
        for context, msgid, msgstr in po_messages()
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], "run: manage.py compilemessages -l en --ignore=.venv"
    with translation.override("en"):
        assert translation.gettext("本文へ移動") == "Skip to main content"


def test_english_pages_mark_japanese_content_and_name_places_in_english(client, db):
    from projects.models import Project

    project = Project.objects.get(name="地域情報化推進事業")
    html = client.get("/en" + project.get_absolute_url()).content.decode()
    assert '<h1><span lang="ja">地域情報化推進事業</span>' in html
    assert "Plan Portal</a>" in html and "Plan Portal</span>" not in html  # the name once
    wards = client.get("/en/wards/").content.decode()
    assert ">Saiwai Ward</a>" in wards and ">Kawasaki City</h2>" in wards
    assert (
        'Sustainable Cities and Communities <span lang="ja">('
        in client.get("/en/sdgs/").content.decode()
    )
