"""The column layout's pure rules: headers with or without 所管局/所管課/区, ward cells."""

import pytest

from projects import layout
from projects.table_format import Responsibility

YEARS = ["2022年度", "2023年度以降"]


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("", ()),
        ("幸区", ("幸区",)),
        ("幸区、中原区", ("幸区", "中原区")),
        ("幸区,中原区，高津区\n宮前区", ("幸区", "中原区", "高津区", "宮前区")),
        (" 幸区 、、中原区、幸区 ", ("幸区", "中原区")),
    ],
)
def test_a_ward_cell_is_split_into_names_once_each(cell, names):
    assert layout.split_wards(cell) == names


def test_ward_names_are_joined_with_the_japanese_comma():
    assert layout.join_wards(["幸区", "中原区"]) == "幸区、中原区"
    assert layout.split_wards(layout.join_wards(["幸区", "中原区"])) == ("幸区", "中原区")


def test_a_header_with_or_without_the_responsibility_columns():
    header, errors = layout.read_header(layout.FIXED_HEADERS + YEARS, 1)
    assert errors == [] and header.states_responsibility and len(header.columns) == 2
    old = layout.FIXED_HEADERS_WITHOUT_RESPONSIBILITY + YEARS
    header, errors = layout.read_header(old, 1)
    assert errors == [] and not header.states_responsibility
    assert header.width == len(old)
    # One of the three missing is neither layout: every wrong column is named.
    partial = [name for name in layout.FIXED_HEADERS if name != layout.DIVISION] + YEARS
    header, errors = layout.read_header(partial, 1)
    assert header is None and errors[0].column == "8列目"


def row(*, bureau="", division="", wards="", line="1", target=""):
    return ["A", "", "事業", "", "", "", bureau, division, wards, line, target, ""]


def test_the_first_row_states_the_responsibility_and_continuation_rows_may_not():
    header, _ = layout.read_header(layout.FIXED_HEADERS + YEARS, 1)
    rows = [
        (2, row(bureau=" 市民文化局 ", division="協働\n推進課", wards="幸区、中原区", target="x")),
        (3, row(line="2", target="y")),
    ]
    (read,), errors = layout.read_rows(rows, header)
    assert errors == []
    assert read.row.responsibility == Responsibility(
        "市民文化局", "協働 推進課", ("幸区", "中原区")
    )
    assert len(read.row.target_lines) == 2
    rows.append((4, row(line="3", bureau="市民文化局", division="課", target="z")))
    _, errors = layout.read_rows(rows, header)
    assert [(error.line, error.column) for error in errors] == [(4, "所管局"), (4, "所管課")]


def test_an_old_file_states_nothing():
    """(That a section needs its bureau is a rule of projects.services.check_rows.)"""
    old, _ = layout.read_header(layout.FIXED_HEADERS_WITHOUT_RESPONSIBILITY + YEARS, 1)
    cells = row()
    del cells[6:9]
    (read,), errors = layout.read_rows([(2, cells)], old)
    assert errors == [] and read.row.responsibility is None
