"""Template context shared by every public page."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

# Each language named in itself, as language switches do.
NATIVE_NAMES = {"ja": "日本語", "en": "English"}


def languages(request):
    """The current page in each language, for the language switch and hreflang links."""
    current = get_language()
    path = request.get_full_path()
    return {
        "page_languages": [
            {
                "code": code,
                "name": NATIVE_NAMES.get(code, code),
                "url": translate_url(path, code),
                "is_current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }
