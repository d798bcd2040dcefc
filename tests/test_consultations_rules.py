"""The pure rules of public comment: cleaning text, receipt numbers, similar comments."""

import pytest

from consultations.receipts import receipt_number
from consultations.similarity import most_similar, similarity
from consultations.text import MAX_COMMENT_LENGTH, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits fold to ASCII
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana become full-width
        ("㍻", "平成"),  # compatibility characters expand
        ("一行目\r\n二行目\r三行目", "一行目\n二行目\n三行目"),
        ("段落\u2028区切り\u2029終わり", "段落\n区切り\n終わり"),
        ("タブ\tの後", "タブ の後"),
        ("ベル\x07とNUL\x00とDEL\x7f", "ベルとNULとDEL"),
        ("右から\u202e左へ\u202c", "右から左へ"),  # bidi override cannot reorder text
        ("見えない\u200b空白\ufeff", "見えない空白"),
        ("家族👨\u200d👩\u200d👧", "家族👨\u200d👩\u200d👧"),  # the emoji joiner stays
        ("  前後の空白  \n", "前後の空白"),
        ("<b>太字</b>", "<b>太字</b>"),  # markup is kept as text, escaped when shown
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def test_single_line_text_turns_breaks_into_spaces():
    assert clean_text("山田\n花子", multiline=False) == "山田 花子"


def test_cleaning_can_lengthen_text_so_the_limit_applies_after_it():
    assert len(clean_text("㍻" * MAX_COMMENT_LENGTH)) == 2 * MAX_COMMENT_LENGTH


def test_receipt_numbers():
    assert receipt_number(1, 12) == "PC001-00012"
    assert receipt_number(1234, 123456) == "PC1234-123456"
    with pytest.raises(ValueError):
        receipt_number(0, 1)
    with pytest.raises(ValueError):
        receipt_number(1, 0)


def test_similarity_ignores_width_case_spaces_and_punctuation():
    assert similarity("まちのひろばを増やしてください。", "まちのひろばを　増やしてください") == 1.0
    assert similarity("ＳＮＳを活用", "snsを活用！") == 1.0
    assert similarity("", "何か") == 0.0


def test_paraphrases_score_above_unrelated_comments():
    base = "町内会の負担を軽減してほしい"
    paraphrase = "町内会の負担の軽減をお願いしたい"  # scores 0.27, unrelated 0.18
    unrelated = "公園にベンチを増やしてほしい"
    assert similarity(base, paraphrase) > similarity(base, unrelated)


def test_most_similar_keeps_those_above_the_threshold_best_first():
    candidates = [
        (1, "公園にベンチを増やしてほしい"),
        (2, "町内会の負担を軽減してほしい。"),
        (3, "町内会の負担軽減を進めてほしい"),
    ]
    found = most_similar("町内会の負担を軽減してほしい", candidates)
    assert [key for key, _score in found] == [2, 3]
    assert found[0][1] == 1.0
