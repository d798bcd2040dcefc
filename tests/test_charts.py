"""Server-side SVG charts: well-formed, named for assistive technology, escaped, honest scales."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from policies.charts import Series, bar_chart, format_quantity, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1234.5000"), "1,234.5"),
        (Decimal("30.0000"), "30"),
        (Decimal("1E+3"), "1,000"),
        (Decimal("-0.25"), "-0.25"),
        (7, "7"),
        (None, ""),
    ],
)
def test_format_quantity(value, text):
    assert format_quantity(value) == text


@pytest.mark.parametrize(
    "low, high, ticks",
    [
        (0, 30, [0, 10, 20, 30]),
        (0, 29.3, [0, 10, 20, 30]),
        (0, 1, [0, 0.25, 0.5, 0.75, 1]),
        (0, 7, [0, 2, 4, 6, 8]),
        (-12, 40, [-20, 0, 20, 40]),
        (5, 5, [4, 6, 8, 10]),
        (0, 0, [0, 0.25, 0.5, 0.75, 1]),
    ],
)
def test_nice_ticks_cover_the_range_in_round_steps(low, high, ticks):
    assert nice_ticks(low, high) == ticks


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bar_chart_is_named_and_draws_one_bar_per_nonzero_count():
    svg = parse(
        bar_chart(
            chart_id="c1",
            title="令和4年度の達成度",
            description="1：2件、2：0件",
            bars=[("1 目標を大きく上回って達成", 2), ("2 <上回る>", 0), ("3 ほぼ達成", 4)],
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "令和4年度の達成度"
    assert svg.find(f"{SVG}desc").get("id") == "c1-desc"
    bars = svg.findall(f"{SVG}rect")
    assert len(bars) == 2
    assert float(bars[1].get("width")) == pytest.approx(2 * float(bars[0].get("width")))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "2 <上回る>" in texts  # escaped in the markup, whole in the parsed text


def test_line_chart_draws_targets_and_actuals_with_gaps_and_a_baseline():
    years = [2022, 2023, 2024, 2025]
    svg_text = line_chart(
        chart_id="i9",
        title="転入超過数",
        description="目標値と実績値",
        years=years,
        year_labels={2022: "R4", 2023: "R5", 2024: "R6", 2025: "R7"},
        series=[
            Series("目標値", "target", {y: Decimal(v) for y, v in zip(years, "1234", strict=True)}),
            Series(
                "実績値",
                "actual",
                {2022: Decimal("1"), 2023: None, 2024: Decimal("5"), 2025: Decimal("6")},
            ),
        ],
        baseline=(Decimal("0.5"), "基準値（2021年度）"),
        unit="人",
    )
    svg = parse(svg_text)
    polylines = svg.findall(f"{SVG}polyline")
    # The actual series breaks where a year has no value: one run of two points.
    assert [p.get("class") for p in polylines] == ["series-target", "series-actual"]
    assert len(polylines[0].get("points").split()) == 4
    assert len(polylines[1].get("points").split()) == 2
    circles = [c for c in svg.findall(f"{SVG}circle")]
    assert len(circles) == 3 + 1  # three actual markers and one in the legend
    assert len(svg.findall(f"{SVG}rect")) == 4 + 1
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"R4", "R7", "2022", "(人)", "基準値（2021年度）", "実績値", "目標値"} <= set(texts)
    assert "0" in texts  # the value axis starts at zero for positive values
    # Higher values sit higher on the page.
    first_target = polylines[0].get("points").split()
    assert float(first_target[0].split(",")[1]) > float(first_target[-1].split(",")[1])


def test_line_chart_with_a_single_year_and_no_values():
    svg = parse(
        line_chart(
            chart_id="x",
            title="t",
            description="d",
            years=[2022],
            year_labels={},
            series=[Series("目標値", "target", {2022: Decimal("3")})],
        )
    )
    assert not svg.findall(f"{SVG}polyline")  # one point draws a marker, not a line
    assert len(svg.findall(f"{SVG}rect")) == 2
    empty = parse(
        line_chart(chart_id="y", title="t", description="d", years=[], year_labels={}, series=[])
    )
    assert empty.get("role") == "img"
