"""The Japanese font the PDFs embed (IPAex Gothic, Debian's fonts-ipaexfont-gothic).

Without it WeasyPrint would still make a PDF, with an empty box for every
Japanese character; the PDF pages refuse instead, and ``check`` reports it.
"""

from pathlib import Path

from django.conf import settings


def japanese_font_installed() -> bool:
    return Path(settings.PDF_FONT_FILE).is_file()
