"""Reading the published plan's tab-separated project tables."""

import pytest

from projects.table_format import (
    SHORT,
    YEARLY,
    TableFormatError,
    cell_lines,
    parse_tables,
    split_name_cell,
    strip_markup,
)
from projects.target_table import Column

HEADER = "事業名\t現状\t事業内容・目標\t\t\t\n\t\t2011年度\t2012年度\t2013年度\t2014年度以降\n"
SHORT_HEADER = "事業名\t事業概要\t計画期間の取組\n"


def test_yearly_rows_with_name_summary_baseline_and_targets():
    text = (
        HEADER + "広報事業 市政情報を提供します。\t市政だより発行 配布拡充\t拡充\t→\t\t事業推進\n"
    )
    (table,) = parse_tables(text)
    assert table.form == YEARLY
    assert table.columns[-1] == Column(2014, after_period=True)
    (row,) = table.rows
    assert row.project_name.name == "広報事業"
    assert row.summary == "市政情報を提供します。"
    assert row.baseline == "市政だより発行\n配布拡充"
    assert row.target_lines == [
        {Column(2011): "拡充", Column(2012): "→", Column(2014, after_period=True): "事業推進"}
    ]
    assert row.line == 3


def test_continuation_rows_add_printed_lines_to_the_project_above():
    text = HEADER + (
        "地域情報化推進事業 ポータルサイトを整備します。\t試行実施\t行政情報の提供\t\t\t事業推進\n"
        "\t\t事業広報の実施\t\t\t\n"
        "\t\t次世代の検討\t\t\t\n"
    )
    (row,) = parse_tables(text)[0].rows
    assert [line[Column(2011)] for line in row.target_lines] == [
        "行政情報の提供",
        "事業広報の実施",
        "次世代の検討",
    ]


def test_short_form_rows_and_markers():
    text = SHORT_HEADER + "道路維持補修事業(再掲)\t道路等の適正な維持補修を実施します。\t事業推進\n"
    (table,) = parse_tables(text)
    assert table.form == SHORT
    (row,) = table.rows
    assert row.project_name.relisted
    assert row.project_name.name == "道路維持補修事業"
    assert (row.summary, row.actions_in_period) == (
        "道路等の適正な維持補修を実施します。",
        "事業推進",
    )


def test_markup_is_read_for_structure_and_never_kept():
    text = HEADER + (
        "<p>区役所サービス向上事業</p> <p>サービスの改善を図ります。</p>\t"
        "<p>指針に基づく取組</p>\t<p>指針の改定</p> <p>フロア案内</p>\t"
        "<p>→</p> <p>→</p>\t\t<p>事業推進</p>\n"
        "<b>広報事業</b> 市政情報を<script>alert(1)</script>提供します。\t<i>発行</i>\t&lt;拡充&gt;\t\t\t\n"
    )
    first, second = parse_tables(text)[0].rows
    assert first.project_name.name == "区役所サービス向上事業"
    assert first.summary == "サービスの改善を図ります。"
    assert first.target_lines[0][Column(2011)] == "指針の改定\nフロア案内"
    assert first.target_lines[0][Column(2012)] == "→\n→"
    assert second.project_name.name == "広報事業"
    assert second.summary == "市政情報を提供します。"
    assert second.baseline == "発行"
    assert second.target_lines[0][Column(2011)] == "<拡充>"  # text, to be escaped on output


def test_spaces_between_items_are_line_breaks_but_english_phrases_keep_theirs():
    assert cell_lines("CIO 補佐業務の実施  進捗管理") == "CIO 補佐業務の実施\n進捗管理"
    assert cell_lines("官民協働による試行実施(5サイト)  電子メール配信") == (
        "官民協働による試行実施(5サイト)\n電子メール配信"
    )
    assert strip_markup("a<br>b") == "a\nb"
    assert split_name_cell("CSR推進事業 CSRの視点に立った取組を促進します。") == (
        "CSR推進事業",
        "CSRの視点に立った取組を促進します。",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "事業A 概要\t現状\t目標\n", "列の数が3です"),
        (HEADER + "\t\t続きの行\t\t\t\n", "事業名のない行が表の先頭にあります"),
        (HEADER + "\t現状だけ\t目標\t\t\t\n", "事業名が空です"),
        (
            "事業名\t現状\t事業内容・目標\n\t\t2011年度\t年度不明\t2013年度\n事業A\t\t\t\t\n",
            "年度として読めません",
        ),
        (
            "事業名\t現状\t事業内容・目標\n\t\t2011年度\t2013年度\t2014年度\n事業A\t\t\t\t\n",
            "連続した年度",
        ),
        (HEADER, "事業の行がありません"),
        (SHORT_HEADER + "(再掲)\t概要\t取組\n", "事業名が空です"),
    ],
)
def test_bad_tables_are_rejected_with_line_and_column(text, message):
    with pytest.raises(TableFormatError) as error:
        parse_tables(text)
    assert message in str(error.value)
    assert "行目" in str(error.value)


def test_every_error_is_reported_not_just_the_first():
    text = HEADER + "事業A 概要\t現状\t目標\n事業B\t\n"
    with pytest.raises(TableFormatError) as error:
        parse_tables(text)
    assert [e.line for e in error.value.errors] == [3, 4]
