"""Read the prose of a seed document: clean lines, paragraphs and numbered outlines.

The seeds are text extracted from printed PDFs. Three artefacts of that
extraction are repaired here, once, for every seed:

- Markdown-style heading marks (``##``) and dotted leaders (``現状と課題 .....``).
- Sentences cut by a page break into two paragraphs ("…必要があ" / "ります。").
- Numbered sections that the extraction put out of order (4, 6, 5, 7) or whose
  continuation landed after a later section: numbers decide the order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from projects.seeds.spec import NodeSpec, TextSpec
from projects.target_table import fold_width, normalize_text

_HEADING_MARKS = re.compile(r"^#+\s*")
_LEADER_DOTS = re.compile(r"\s*\.{3,}\s*$")
_BULLET = re.compile(r"^-\s+")
_TERMINAL = set("。．.」』）)!！?？：:")
_NOT_CONTINUATION = set("・●○◆■□※【〔「『(（-―→⇒")


def clean_line(line: str) -> str:
    """A line without heading marks, leader dots, list dashes or edge spaces."""
    line = line.rstrip()
    line = _HEADING_MARKS.sub("", line.strip())
    line = _LEADER_DOTS.sub("", line)
    line = _BULLET.sub("", line)
    return line.strip()


def is_japanese(char: str) -> bool:
    return (
        "\u3040" <= char <= "\u30ff"  # hiragana, katakana, ー
        or "\u4e00" <= char <= "\u9fff"  # kanji
        or char in "々〆"
    )


def _is_prose(paragraph: str) -> bool:
    """Sentences carry 、 or 。; captions, figure labels and headings do not."""
    return "、" in paragraph or "。" in paragraph


def _continues(previous: str, following: str) -> bool:
    """True when a page break cut one sentence into these two paragraphs."""
    last, first = previous[-1], following[0]
    return (
        _is_prose(previous)
        and _is_prose(following)
        and last not in _TERMINAL
        and (is_japanese(last) or last.isalnum())
        and is_japanese(first)
        and first not in _NOT_CONTINUATION
    )


def paragraphs(lines: list[str]) -> list[str]:
    """Group cleaned lines into paragraphs and mend sentences cut by page breaks.

    Blank lines separate paragraphs; lines inside a paragraph stay lines.
    """
    grouped: list[list[str]] = [[]]
    for raw in lines:
        line = clean_line(raw) if "\t" not in raw else raw.strip("\n").strip(" ")
        if line:
            grouped[-1].append(line)
        elif grouped[-1]:
            grouped.append([])
    result: list[str] = []
    for group in grouped:
        if not group:
            continue
        text = "\n".join(normalize_line(line) for line in group)
        if result and _continues(result[-1], text):
            result[-1] += text
        else:
            result.append(text)
    return result


def normalize_line(line: str) -> str:
    """Collapse spaces inside a line; tabs (table cells) are kept."""
    if "\t" in line:
        return "\t".join(normalize_text(cell) for cell in line.split("\t"))
    return normalize_text(line)


def join_paragraphs(paras: list[str]) -> str:
    return "\n\n".join(paras)


# --- numbered outlines -------------------------------------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_IROHA = "アイウエオカキクケコ"


def number_of(code: str) -> int | None:
    """The ordinal a printed code carries: 3 for "3", "(3)", "③", "第3章", "ウ"."""
    digits = re.search(r"\d+", code)
    if digits:
        return int(digits[0])
    for char in code:
        if char in _CIRCLED:
            return _CIRCLED.index(char) + 1
        if char in _IROHA:
            return _IROHA.index(char) + 1
    return None


@dataclass(frozen=True)
class Level:
    """One level of a numbered outline: a pattern with ``code`` and ``title`` groups."""

    pattern: re.Pattern
    depth_label: int | None = None  # the PlanLevel depth naming it, if the plan names it

    def match(self, line: str):
        return self.pattern.match(fold_width(line))


def parse_outline(
    lines: list[str], levels: list[Level], *, skip: re.Pattern | None = None
) -> tuple[list[str], list[NodeSpec]]:
    """Read numbered headings into a tree; other lines become each node's text.

    Returns the paragraphs before the first heading and the root nodes. Lines
    with tabs (tables) are never headings. Where the extraction disordered
    sections, a numbered heading joins the latest parent it continues, and
    numbered siblings are put back in order.
    """
    preamble: list[str] = []
    roots: list[NodeSpec] = []
    bodies: dict[int, list[str]] = {}
    open_nodes: list[list[NodeSpec]] = [[] for _ in levels]  # seen nodes per depth
    current_body = preamble
    for raw in lines:
        cleaned = clean_line(raw)
        if skip and skip.search(cleaned):
            continue
        heading = None
        if "\t" not in raw and not raw.lstrip().startswith("- "):
            heading = next(
                (
                    (depth, level, m)
                    for depth, level in enumerate(levels)
                    if (m := level.match(cleaned))
                ),
                None,
            )
        if heading is None:
            current_body.append(raw)
            continue
        depth, level, match = heading
        code = re.sub(r"\s+", "", match["code"])
        title = match["title"] or ""
        if title:
            title = cleaned[len(cleaned) - len(title) :]  # as printed, not width-folded
        title = title.strip()
        node = NodeSpec(title=title or code, code=code, depth_label=level.depth_label)
        parent = _parent_for(open_nodes, depth, number_of(code))
        (parent.children if parent else roots).append(node)
        open_nodes[depth].append(node)
        for deeper in open_nodes[depth + 1 :]:
            deeper.clear()
        current_body = bodies.setdefault(id(node), [])
    for node in (n for root in roots for n in root.walk()):
        text = join_paragraphs(paragraphs(bodies.get(id(node), [])))
        if text:
            node.texts.append(TextSpec(kind="other", heading="", body=text))
    _restore_order(roots)
    return paragraphs(preamble), roots


def _parent_for(open_nodes, depth, number):
    if depth == 0:
        return None
    candidates = [node for nodes in open_nodes[depth - 1 : depth] for node in nodes]
    if not candidates:
        return None
    latest = candidates[-1]
    if number and number > 1:
        # Prefer the most recent parent whose children stop just before this number.
        for candidate in reversed(candidates):
            numbers = [number_of(child.code) for child in candidate.children]
            if numbers and numbers[-1] == number - 1:
                return candidate
    return latest


def _restore_order(nodes: list[NodeSpec]) -> None:
    numbers = [number_of(node.code) for node in nodes]
    if nodes and all(numbers):
        nodes.sort(key=lambda node: number_of(node.code))
    for node in nodes:
        _restore_order(node.children)
