"""The period grid: years across, parts down, phases sharing a row, open ends."""

from dataclasses import dataclass

from schedule.timeline import Bar, Gap, build_timeline


@dataclass
class Period:
    part: str
    name: str
    start_fiscal_year: int
    end_fiscal_year: int | None = None

    @property
    def row_label(self) -> str:
        return self.part


KAWASAKI = [
    Period("basic_vision", "基本構想", 2016),
    Period("basic_plan", "基本計画", 2016),
    Period("implementation", "第1期実施計画", 2016, 2017),
    Period("implementation", "第2期実施計画", 2018, 2021),
    Period("implementation", "第3期実施計画", 2022, 2025),
]


def layout(timeline):
    return [
        (
            row.label,
            [
                (cell.period.name, cell.span, cell.open_ended)
                if isinstance(cell, Bar)
                else ("gap", cell.span)
                for cell in row.cells
            ],
        )
        for row in timeline.rows
    ]


def test_kawasaki_as_seed_000_prints_it():
    timeline = build_timeline(KAWASAKI)
    assert timeline.years == list(range(2016, 2026))
    assert layout(timeline) == [
        ("basic_vision", [("基本構想", 10, True)]),
        ("basic_plan", [("基本計画", 10, True)]),
        (
            "implementation",
            [("第1期実施計画", 2, False), ("第2期実施計画", 4, False), ("第3期実施計画", 4, False)],
        ),
    ]
    assert [bar.first_column for bar in timeline.bars] == [0, 0, 0, 2, 6]
    assert timeline.has_open_ended


def test_gaps_before_between_and_after_bars():
    periods = [
        Period("basic_plan", "前期", 2020, 2024),
        Period("implementation", "第2期", 2023, 2024),
        Period("implementation", "第4期", 2027, 2028),
        Period("other", "後期", 2025, 2029),
    ]
    rows = layout(build_timeline(periods, label=lambda p: p.name))
    assert rows == [
        ("前期", [("前期", 5, False), ("gap", 5)]),
        ("第2期", [("gap", 3), ("第2期", 2, False), ("gap", 2), ("第4期", 2, False), ("gap", 1)]),
        ("後期", [("gap", 5), ("後期", 5, False)]),
    ]
    assert all(cell.span > 0 for row in build_timeline(periods).rows for cell in row.cells)


def test_overlapping_periods_of_one_part_take_separate_rows():
    periods = [Period("other", "A", 2020, 2023), Period("other", "B", 2022, 2024)]
    rows = layout(build_timeline(periods))
    assert rows == [
        ("other", [("A", 4, False), ("gap", 1)]),
        ("other", [("gap", 2), ("B", 3, False)]),
    ]


def test_tsurugashima_single_period_and_empty_input():
    timeline = build_timeline([Period("basic_plan", "後期基本計画", 2025, 2029)])
    assert timeline.years == [2025, 2026, 2027, 2028, 2029]
    assert layout(timeline) == [("basic_plan", [("後期基本計画", 5, False)])]
    assert not timeline.has_open_ended
    empty = build_timeline([])
    assert empty.years == [] and empty.rows == []


def test_only_open_ended_periods_draw_one_column():
    timeline = build_timeline([Period("basic_vision", "基本構想", 2016)])
    assert timeline.years == [2016]
    assert layout(timeline) == [("basic_vision", [("基本構想", 1, True)])]
    assert isinstance(timeline.rows[0].cells[0], Bar) and not any(
        isinstance(c, Gap) for c in timeline.rows[0].cells
    )
