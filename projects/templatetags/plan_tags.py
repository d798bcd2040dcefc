"""Display helpers for plan content: fiscal years, target cells, prose, search highlights.

Every helper escapes the content it is given; plan text is never trusted as markup.
"""

import functools

from django import template
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from planportal.i18n import has_japanese, is_english
from projects import search
from projects.target_table import ARROW, Cell, CellKind, Column
from schedule import fiscal
from schedule.timing import PlanState

register = template.Library()


@register.filter
def fiscal_year(value: int) -> str:
    """令和4年度 (2022) in Japanese, FY2022 (Reiwa 4) in English."""
    if value in (None, ""):
        return ""
    return fiscal.english_label(value) if is_english() else fiscal.dual_label(value)


@register.filter
def fiscal_years(period) -> str:
    """The span of anything with start_fiscal_year / end_fiscal_year."""
    first, last = period.start_fiscal_year, period.end_fiscal_year
    if not first:
        return ""
    if is_english():
        return fiscal.english_range_label(first, last)
    return fiscal.fiscal_year_range_label(first, last)


def _marked_japanese(html):
    """``html`` inside <span lang="ja"> on English pages when it holds Japanese script."""
    if is_english() and has_japanese(html):
        return format_html('<span lang="ja">{}</span>', html)
    return html


@register.filter
def ja(text):
    """Plan content (Japanese) marked as such on English pages, so that screen readers
    read it with a Japanese voice (WCAG 3.1.2); unchanged on Japanese pages."""
    if text in (None, ""):
        return ""
    return _marked_japanese(conditional_escape(text))


class JapaneseNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return _marked_japanese(mark_safe(self.nodelist.render(context)))


@register.tag
def japanese(parser, token):
    """{% japanese %}…{% endjapanese %}: the ``ja`` filter for a piece of template."""
    nodelist = parser.parse(("endjapanese",))
    parser.delete_first_token()
    return JapaneseNode(nodelist)


@register.simple_tag
def content_lang() -> str:
    """` lang="ja"` for an element holding only plan content, on English pages."""
    return mark_safe(' lang="ja"') if is_english() else ""


@register.filter
def local_name(place):
    """A ward or city by its English name on English pages (Saiwai Ward), else as recorded."""
    if is_english():
        if place.name_en:
            return place.name_en
        return ja(place.name)
    return place.name


@register.filter
def goal_title(goal):
    """An SDG goal with its number: its official English title on English pages."""
    if is_english() and goal.title_en:
        return f"{goal.number}. {goal.title_en}"
    return ja(str(goal))


@register.simple_tag
def plan_state(plan):
    """The plan's state today as a badge: 計画期間中, 終了（平成25年度まで）, 策定中, 素案 …"""
    timing = plan.timing
    year = ""
    if timing.fiscal_year:
        year = (
            f"FY{timing.fiscal_year}" if is_english() else fiscal.wareki_label(timing.fiscal_year)
        )
    labels = {
        PlanState.CURRENT: gettext("計画期間中"),
        PlanState.ENDED: gettext("終了（%(year)sまで）") % {"year": year},
        PlanState.UPCOMING: gettext("開始前（%(year)sから）") % {"year": year},
    }
    label = labels.get(timing.state) or plan.Stage(timing.state).label
    return format_html('<span class="badge badge-plan-{}">{}</span>', timing.state, label)


@functools.lru_cache(maxsize=512)  # a page repeats the few columns of its plans in every table
def _column_header(column: Column, english: bool):
    """A target-table column in both calendars: 2012年度 / 平成24年度 (or …以降)."""
    if english:
        first, second = f"FY{column.fiscal_year}", fiscal.romaji_label(column.fiscal_year)
        if column.after_period:
            first, second = f"{first} onward", f"{second} onward"
    else:
        suffix = "以降" if column.after_period else ""
        first = fiscal.western_label(column.fiscal_year) + suffix
        second = fiscal.wareki_label(column.fiscal_year) + suffix
    return format_html('{}<span class="wareki">{}</span>', first, second)


@register.filter
def column_text(column: Column) -> str:
    """A column as plain text, for notes: 2012年度 or 2014年度以降 (FY2014 onward)."""
    return _column_text(column, is_english())


def _column_text(column: Column, english: bool) -> str:
    if english:
        return f"FY{column.fiscal_year}" + (" onward" if column.after_period else "")
    label = fiscal.western_label(column.fiscal_year)
    return label + ("以降" if column.after_period else "")


@functools.lru_cache(maxsize=512)
def _cell_years(first: Column, last: Column | None, english: bool) -> str:
    """The years a shown target cell covers, in both calendars, for the per-year list:
    2012年度（平成24年度）, 2011年度～2013年度（平成23年度～平成25年度）."""
    columns = [first] if last is None else [first, last]
    western = [_column_text(c, english) for c in columns]
    if english:
        wareki = [
            fiscal.romaji_label(c.fiscal_year) + (" onward" if c.after_period else "")
            for c in columns
        ]
        return f"{' to '.join(western)} ({' to '.join(wareki)})"
    wareki = [
        fiscal.wareki_label(c.fiscal_year) + ("以降" if c.after_period else "") for c in columns
    ]
    return f"{'～'.join(western)}（{'～'.join(wareki)}）"


# The target table and, for narrow screens, the same targets as a list per year. Built in
# Python once per project: a template looked up half a dozen variables per cell, twice,
# for every project of a page (hundreds on a print page). Every value is escaped by
# ``format_html``; the cells' HTML is built below the same way.
_TARGET_TABLE = """
<div class="table-scroll targets-wide" role="region" aria-labelledby="targets-{pk}" tabindex="0">
<table class="targets">
  <caption id="targets-{pk}">{caption}</caption>
  <thead>
    <tr>
      <th scope="col">{baseline_header}</th>
      {headers}
    </tr>
  </thead>
  <tbody>
  {body}
  </tbody>
</table>
</div>
{target_list}"""
# A phone's list of the same cells; a PDF never shows it, and laying it out hidden was a
# third of a PDF part's elements.
_TARGET_LIST = """<div class="target-list">
  <p class="target-list-caption">{caption}</p>
  {baseline_entry}
  {entries}
</div>
"""


@register.simple_tag
def target_table(project, for_pdf=False):
    """The project's target table and, but in a PDF, its per-year list, as HTML (nothing
    for a project with neither targets nor baseline): the cells merged into another are
    left out, each label is worked out once per page (not once per cell)."""
    english = is_english()
    rows = [
        _cells([cell for cell in row if cell.is_shown], english) for row in project.target_rows()
    ]
    if not (rows or project.baseline):
        return ""
    columns = project.columns
    baseline = ja(cell_text(project.baseline))
    if rows:
        body = format_html_join(
            "",
            "\n    <tr>\n      {}\n      {}\n    </tr>\n  ",
            (
                (
                    format_html('<td rowspan="{}" class="baseline">{}</td>', len(rows), baseline)
                    if index == 0
                    else "",
                    cells,
                )
                for index, (cells, _entries) in enumerate(rows)
            ),
        )
    else:
        body = format_html(
            '\n    <tr><td class="baseline">{}</td>{}</tr>\n  ',
            baseline,
            mark_safe("<td></td>" * len(columns)),
        )
    # As {% blocktranslate %} does: the name escaped, the translation as written.
    caption = mark_safe(
        gettext("%(name)sの現状と事業内容・目標")
        % {"name": conditional_escape(ja(project.display_name))}
    )
    target_list = (
        ""
        if for_pdf
        else format_html(
            _TARGET_LIST,
            caption=caption,
            baseline_entry=(
                format_html("<dl><dt>{}</dt><dd>{}</dd></dl>", gettext("現状"), baseline)
                if project.baseline
                else ""
            ),
            entries=format_html_join(
                "",
                "<dl>\n    {}\n  </dl>",
                ((entries,) for _cells, entries in rows),
            ),
        )
    )
    return format_html(
        _TARGET_TABLE,
        pk=project.pk,
        caption=caption,
        baseline_header=gettext("現状"),
        headers=format_html_join(
            "", '<th scope="col">{}</th>', ((_column_header(c, english),) for c in columns)
        ),
        body=body,
        target_list=target_list,
    )


# A listed project: its heading and badges, where it is listed from, its summary, targets
# and actions. Printed in Python for the same reason as its target table: the template
# looked up some twenty variables per project, for every project of a node or print page.
_LISTING = """
<article class="project" aria-labelledby="project-{pk}-{listing_pk}">
  <h{level} id="project-{pk}-{listing_pk}"><a href="{url}">{name}</a>{badges}</h{level}>
  {note}
  {summary}
  {targets}

  {actions}
</article>

"""


@register.simple_tag(takes_context=True)
def project_listing(context, listing, heading_level=3):
    """A listing of a project under a node (a node's page, a print page or PDF); in the
    staff preview, a draft project is marked as such."""
    project, plan = listing.project, context["plan"]
    badges = []
    if listing.is_relisting:
        badges.append(format_html(' <span class="badge badge-relisted">{}</span>', gettext("再掲")))
    if project.each_ward:
        badges.append(format_html(' <span class="badge">{}</span>', gettext("各区で実施")))
    if context.get("is_preview"):
        if not project.is_published():
            badges.append(
                format_html(' <span class="badge badge-draft">{}</span>', gettext("下書き"))
            )
        badges.append("\n")  # as the status template's last line left it
    return format_html(
        _LISTING,
        pk=project.pk,
        listing_pk=listing.pk,
        level=heading_level,
        url=_plan_url(context, "projects:project", plan, project.pk),
        name=ja(project.display_name),
        badges=mark_safe("".join(badges)),
        note=_home_note(context, listing, plan) if listing.is_relisting else "",
        summary=format_html("<p>{}</p>", _lines(project.summary)) if project.summary else "",
        targets=target_table(project, context.get("for_pdf", False)),
        actions=format_html(
            '<dl class="short-form"><dt>{}</dt><dd>{}</dd></dl>',
            gettext("計画期間の取組"),
            _lines(project.actions_in_period),
        )
        if project.actions_in_period
        else "",
    )


def _home_note(context, listing, plan):
    """Where a relisted project belongs: its home measure, linked, or the note that
    says so in words."""
    project = listing.project
    home = project.home_node
    if home is None:
        return format_html('<p class="note">{}</p>', ja(project.home_note))
    return format_html(
        '<p class="note">{}<a href="{}">{}</a></p>',
        gettext("本来の施策："),
        _plan_url(context, "policies:node", plan, home.pk),
        ja(home.title),
    )


# A pk no URL holds otherwise: reversed once, it marks where a page's pks go.
_ANY_PK = 918_273_645_546_372_819


def _plan_url(context, viewname: str, plan, pk: int) -> str:
    """The URL of one of the plan's projects or nodes: reversed once a page (with its
    language prefix and script name) and the pk put in place, not reversed for each of a
    page's listings."""
    key = (_plan_url, viewname, plan.slug)
    around = context.render_context.get(key)
    if around is None:
        around = reverse(viewname, args=[plan.slug, _ANY_PK]).rpartition(str(_ANY_PK))[::2]
        context.render_context[key] = around
    return f"{around[0]}{pk}{around[1]}"


def _lines(text):
    """Plan text with its line breaks as <br>, escaped and marked as Japanese."""
    return ja(linebreaksbr(text, autoescape=True))


def _cell_content(cell: Cell):
    """What a shown cell says: its printed lines, or that it repeats the year before."""
    if cell.kind is CellKind.SAME_AS_PREVIOUS:
        return format_html(
            '<span class="same-as">→ <small>{}</small></span>', gettext("前年度と同じ")
        )
    return ja(cell_text(cell.text))


def _cells(row: list[Cell], english: bool) -> tuple[str, str]:
    """A printed line's <td>s for the table and <dt>/<dd>s for the list, what each cell
    says worked out once for both."""
    cells, entries = [], []
    for cell in row:
        content = _cell_content(cell)
        cells.append(_table_cell(cell, content, english))
        entries.append(_list_entry(cell, content, english))
    return mark_safe("".join(cells)), mark_safe("".join(entries))


def _table_cell(cell: Cell, content, english: bool):
    """The cell's <td>: over merged years with a note of them, the original target
    labelled as such where it was revised, and the revisions after it."""
    attributes = note = label = revisions = ""
    if cell.span > 1:
        attributes = format_html(' colspan="{}" class="merged"', cell.span)
        note = format_html(
            '<span class="span-note">{}～{}</span>',
            _column_text(cell.column, english),
            _column_text(cell.last_column, english),
        )
    if cell.revisions:
        if cell.kind is not CellKind.EMPTY:
            label = format_html('<span class="original-label">{}</span>', gettext("当初の目標"))
        revisions = render_to_string(
            "includes/target_revisions.html", {"revisions": cell.revisions}
        )
    return format_html("<td{}>{}{}{}{}</td>", attributes, note, label, content, revisions)


def _list_entry(cell: Cell, content, english: bool):
    """The cell in the per-year list: its years (and over how many it is merged), then
    what it says; nothing for an empty cell."""
    if cell.kind is CellKind.EMPTY:
        return ""
    span = ""
    if cell.span > 1:
        common = ngettext("%(years)s年度分に共通", "%(years)s年度分に共通", cell.span)
        span = format_html(' <span class="span-note">{}</span>', common % {"years": cell.span})
    years = _cell_years(cell.column, cell.last_column if cell.span > 1 else None, english)
    return format_html("<dt>{}{}</dt>\n    <dd>{}</dd>\n    ", years, span, content)


@register.filter
def cell_text(text: str):
    """The printed lines of a cell; a line that is only "→" says what it means."""
    lines = []
    for line in (text or "").splitlines():
        if line.strip() == ARROW:
            same = gettext("前年度と同じ")
            lines.append(
                format_html('<span class="same-as">{} <small>{}</small></span>', ARROW, same)
            )
        else:
            lines.append(escape(line))
    return mark_safe("<br>".join(lines))


@register.filter
def prose(text: str):
    """Body text as paragraphs; "・" lines become a list and tab lines a table."""
    blocks = []
    for block in (text or "").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if any("\t" in line for line in lines):
            rows = format_html_join("", "<tr>{}</tr>", ((_table_row(line),) for line in lines))
            blocks.append(
                format_html(
                    '<div class="table-scroll"><table class="text-table">{}</table></div>', rows
                )
            )
        elif all(line.startswith("・") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[1:].strip(),) for line in lines))
            blocks.append(format_html('<ul class="bullets">{}</ul>', items))
        else:
            blocks.append(
                format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in lines)))
            )
    return mark_safe("".join(blocks))


def _table_row(line: str):
    cells = [cell.strip() for cell in line.split("\t")]
    return format_html_join("", "<td>{}</td>", ((cell,) for cell in cells))


@register.filter
def highlight(text: str, terms):
    return search.highlight(text or "", terms or [])
