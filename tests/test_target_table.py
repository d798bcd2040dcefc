"""The published tables' conventions: → (same as the year before), merged cells, markers."""

import pytest

from projects.target_table import (
    CellKind,
    Column,
    build_row,
    display_name,
    fold_width,
    is_same_as_previous,
    normalize_text,
    parse_project_name,
    plan_columns,
)

COLUMNS = plan_columns(2011, 2013)
FY2011, FY2012, FY2013, AFTER = COLUMNS


def kinds(row):
    return [(cell.kind, cell.span) for cell in row]


def test_plan_columns_end_with_the_open_ended_column():
    assert COLUMNS == [Column(2011), Column(2012), Column(2013), Column(2014, after_period=True)]


def test_an_empty_cell_after_a_filled_one_is_merged_into_it():
    row = build_row(COLUMNS, {FY2011: "基本設計", AFTER: "事業推進"})
    assert kinds(row) == [
        (CellKind.TEXT, 3),
        (CellKind.CONTINUED, 0),
        (CellKind.CONTINUED, 0),
        (CellKind.TEXT, 1),
    ]
    assert row[0].last_column == FY2013
    assert row[2].resolved_text == "基本設計"
    assert [cell.is_shown for cell in row] == [True, False, False, True]


def test_trailing_empty_cells_continue_the_last_filled_cell():
    row = build_row(COLUMNS, {FY2011: "推進", FY2012: "推進・完了"})
    assert kinds(row) == [
        (CellKind.TEXT, 1),
        (CellKind.TEXT, 3),
        (CellKind.CONTINUED, 0),
        (CellKind.CONTINUED, 0),
    ]
    assert row[1].last_column == AFTER


def test_leading_empty_cells_are_just_empty():
    row = build_row(COLUMNS, {FY2013: "開始"})
    assert kinds(row)[:2] == [(CellKind.EMPTY, 1), (CellKind.EMPTY, 1)]
    assert row[2].span == 2


def test_an_arrow_repeats_the_year_before():
    row = build_row(COLUMNS, {FY2011: "窓口サービスの提供", FY2012: "→", FY2013: "新しい取組"})
    assert row[1].kind is CellKind.SAME_AS_PREVIOUS
    assert row[1].text == "→"
    assert row[1].resolved_text == "窓口サービスの提供"
    assert row[2].resolved_text == "新しい取組"


def test_an_arrow_after_a_merged_cell_repeats_the_merged_text():
    row = build_row(COLUMNS, {FY2011: "区が主体となり実施", FY2013: "→", AFTER: "事業推進"})
    assert kinds(row)[:3] == [
        (CellKind.TEXT, 2),
        (CellKind.CONTINUED, 0),
        (CellKind.SAME_AS_PREVIOUS, 1),
    ]
    assert row[2].resolved_text == "区が主体となり実施"


def test_arrows_repeat_through_a_chain():
    row = build_row(COLUMNS, {FY2011: "運営", FY2012: "→", FY2013: "→\n→"})
    assert row[2].kind is CellKind.SAME_AS_PREVIOUS
    assert row[2].resolved_text == "運営"


def test_one_arrow_per_line_means_the_whole_cell_repeats_but_mixed_lines_are_text():
    assert is_same_as_previous("→\n→\n→")
    assert is_same_as_previous(" → ")
    assert not is_same_as_previous("→\n区民会議交流会の検証\n→")
    assert not is_same_as_previous("")
    row = build_row(COLUMNS, {FY2012: "運営", FY2013: "→\n区民会議交流会の検証\n→"})
    assert row[2].kind is CellKind.TEXT


def test_a_spanned_arrow_covers_the_following_empty_cells():
    row = build_row(COLUMNS, {FY2011: "運営", FY2012: "→"})
    assert kinds(row)[1:] == [
        (CellKind.SAME_AS_PREVIOUS, 3),
        (CellKind.CONTINUED, 0),
        (CellKind.CONTINUED, 0),
    ]
    assert row[3].resolved_text == "運営"


def test_names_carry_relisting_and_each_ward_markers():
    name = parse_project_name("地域コミュニティ活性化推進事業(各区)(再掲)")
    assert (name.name, name.each_ward, name.relisted) == (
        "地域コミュニティ活性化推進事業",
        True,
        True,
    )
    assert name.printed == "地域コミュニティ活性化推進事業(各区)(再掲)"
    full_width = parse_project_name("区民会議運営事業（各区）")
    assert (full_width.name, full_width.each_ward, full_width.relisted) == (
        "区民会議運営事業",
        True,
        False,
    )


def test_only_trailing_markers_count():
    name = parse_project_name("地域における子育て支援の推進(地域支援事業)(再掲)")
    assert name.name == "地域における子育て支援の推進(地域支援事業)"
    assert parse_project_name("道路改良事業(市道)").name == "道路改良事業(市道)"
    assert parse_project_name("(再掲)について調べる事業").relisted is False


def test_display_name_and_width_folding():
    assert display_name("安全・安心まちづくり事業", True) == "安全・安心まちづくり事業(各区)"
    assert fold_width("（２）ＣＳＲ　推進") == "(2)CSR 推進"
    assert fold_width("①～③") == "①～③"  # circled numbers and the wave dash stay as printed


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("", ""),
        ("既に整った一行", "既に整った一行"),
        ("CIO 補佐業務\n進捗管理", "CIO 補佐業務\n進捗管理"),
        ("一行目\r\n二行目 \r\n", "一行目\n二行目"),  # as a browser posts a textarea
        ("  前の空白\n\n\n後の空白  ", "前の空白\n後の空白"),
        ("全角\u3000空白と\tタブと  二つの空白", "全角 空白と タブと 二つの空白"),
        ("段落\u2028区切り\x0c改ページ", "段落\n区切り\n改ページ"),
        ("\xa0行頭の空白", "行頭の空白"),
    ],
)
def test_text_is_normalised_as_the_layout_reads_it(text, normal):
    assert normalize_text(text) == normal
    assert normalize_text(normal) == normal
