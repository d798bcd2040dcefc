"""Progress on public pages: quantities, roll-up bar charts and indicator charts as SVG."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from policies.charts import Series, bar_chart, format_quantity, line_chart
from schedule import fiscal

register = template.Library()


@register.filter
def quantity(value) -> str:
    """1,234.5 as people write numbers; empty for no value."""
    return format_quantity(value)


@register.simple_tag
def rollup_chart(rollup, index: int, title: str):
    """Bars of how many projects reached each level in the rollup's ``index``-th year."""
    chart_id = f"rollup-chart-{rollup.years[index]}"
    bars = [(f"{level.code} {level.label}", count) for level, count in rollup.year_bars(index)]
    if rollup.unrated[index]:
        bars.append((_("未評価"), rollup.unrated[index]))
    description = "、".join(f"{label}：{count}件" for label, count in bars)
    return mark_safe(bar_chart(chart_id=chart_id, title=title, description=description, bars=bars))


@register.simple_tag
def indicator_chart(indicator, values):
    """Targets (dashed, squares) and actuals (solid, circles) of an indicator by fiscal year,
    in a figure; only the numbers are drawn (text targets are in the table below it).
    Nothing when no value is a number."""
    chart_id = f"indicator-chart-{indicator.pk}"
    values = list(values)
    years = [value.fiscal_year for value in values]
    series = [
        Series(_("目標値"), "target", {v.fiscal_year: v.target for v in values}),
        Series(_("実績値"), "actual", {v.fiscal_year: v.actual for v in values}),
    ]
    series = [line for line in series if any(v is not None for v in line.values.values())]
    if not series:
        return ""
    baseline = None
    if indicator.baseline_value is not None:
        baseline = (
            indicator.baseline_value,
            _("基準値（%(when)s）") % {"when": indicator.baseline_when},
        )
    description = _(
        "%(name)sの年度別の目標値と実績値（%(direction)s）。数値はグラフの下の表のとおりです。"
    ) % {"name": indicator.name, "direction": indicator.get_direction_display()}
    return format_html(
        '<figure class="chart">{}</figure>',
        mark_safe(
            line_chart(
                chart_id=chart_id,
                title=indicator.name,
                description=description,
                years=years,
                year_labels={year: fiscal.short_wareki_label(year) for year in years},
                series=series,
                baseline=baseline,
                unit=indicator.unit,
            )
        ),
    )
