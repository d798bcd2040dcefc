"""Template context shared by every public page."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language, override

# Each language named in itself, as language switches do.
NATIVE_NAMES = {"ja": "日本語", "en": "English"}


def page_url_in(request, language: str) -> str:
    """The current page in ``language``, rebuilt from the URL pattern it resolved to.

    Never from the raw request URL: ``GET //evil.example/`` would become a link
    to another site. A path that resolved to no named page gets the home page.
    """
    match = request.resolver_match
    with override(language):
        if match is None or match.url_name is None:
            return reverse("policies:home")
        path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    query = request.GET.urlencode()
    return f"{path}?{query}" if query else path


def languages(request):
    """The current page in each language, for the language switch and hreflang links."""
    current = get_language()
    return {
        "page_languages": [
            {
                "code": code,
                "name": NATIVE_NAMES.get(code, code),
                "url": page_url_in(request, code),
                "is_current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }
