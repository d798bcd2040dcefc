"""The drafting schedule as an iCalendar feed (RFC 5545).

Every milestone is an all-day event over the days its written date allows:
"4月中旬" of 令和3年度 runs from 11 to 20 April 2021 (DTEND is the day after,
as RFC 5545 wants for dates). Planned steps are TENTATIVE, done ones
CONFIRMED; none blocks time in a calendar (TRANSP:TRANSPARENT). The
``icalendar`` library writes the format: CRLF line ends, folded lines,
escaped text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODID = "-//Plan Portal//Drafting schedule//JA"


def milestone_event(milestone, *, stamp: datetime, domain: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"milestone-{milestone.pk}@{domain}")
    event.add("dtstamp", stamp)
    event.add("dtstart", milestone.starts_on)
    event.add("dtend", milestone.ends_on + timedelta(days=1))
    event.add("summary", milestone.title)
    lines = [f"{milestone.when_label}（{milestone.get_progress_display()}）"]
    lines += milestone.details.splitlines()
    if link := milestone.document_link:
        lines.append(f"{_('関連資料')}: {link[0]}")
    event.add("description", "\n".join(lines))
    event.add("categories", [milestone.get_kind_display()])
    done = milestone.progress == milestone.Progress.DONE
    event.add("status", "CONFIRMED" if done else "TENTATIVE")
    event.add("transp", "TRANSPARENT")
    event.add("url", url)
    return event


def schedule_calendar(
    milestones: Iterable,
    *,
    name: str,
    stamp: datetime,
    domain: str,
    url_of: Callable[[object], str],
) -> bytes:
    """The feed of ``milestones`` named ``name``, as bytes ready to serve."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for milestone in milestones:
        calendar.add_component(
            milestone_event(milestone, stamp=stamp, domain=domain, url=url_of(milestone))
        )
    return calendar.to_ical()
