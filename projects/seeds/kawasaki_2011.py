"""Seed 001: Kawasaki's 2011–2013 plan, 基本政策Ⅶ in full.

The printed hierarchy is 基本政策 (Ⅶ) → 政策の基本方向 (Ⅶ-1) → 基本施策
(Ⅶ-1-(1)) → 施策 (no printed code). Each measure has 現状と課題, 計画期間の取組
and project tables, which ``projects.table_format`` reads, as the importer does.

The text extraction dropped the numeral "Ⅶ" from the codes of the lower levels
("## - 1 …", "【基本施策 - 1 - (1)】"); it is restored from the basic policy's
own heading, so the codes read as printed: Ⅶ-1, Ⅶ-1-(1).
"""

from __future__ import annotations

import re

from policies.scales import KAWASAKI_2011_NAME
from projects.seeds.outline import clean_line, join_paragraphs, paragraphs
from projects.seeds.spec import NodeSpec, PeriodSpec, PlanSpec, TextSpec
from projects.table_format import parse_tables

SOURCE_FILE = "001_6a8f268f0c523767.txt"

BASIC_POLICY = re.compile(r"^基本政策\s*(?P<numeral>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+)$")
DIRECTION = re.compile(r"^##\s+-\s*(?P<number>\d+)\s+(?P<title>.+)$")
BASIC_MEASURE = re.compile(r"【基本施策\s*-\s*(?P<n>\d+)\s*-\s*\((?P<m>\d+)\)】\s*(?P<title>.+)$")
SITUATION = re.compile(r"^現状と課題$")
ACTIONS = re.compile(r"^計画期間\s*\(.+\)\s*の取組$")
PROJECTS = re.compile(r"^具体的な事業と事業内容・目標$")
DIRECTION_LIST = re.compile(r"^政策の基本方向$")
SUBHEADING = re.compile(r"^###\s+(?P<title>.+)$")

LEVELS = ["基本政策", "政策の基本方向", "基本施策", "施策"]
HOME_NOTE = (
    "この事業の本来の施策は、収録した資料（基本政策Ⅶ）の範囲外にあります。"
    "ここでは再掲として載っている箇所だけを示しています。"
)


def is_caption(paragraph: str) -> bool:
    """A photo or figure caption left in the text: short, with no sentence punctuation."""
    return "、" not in paragraph and "。" not in paragraph and not paragraph.endswith("ます")


class _Reader:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.root: NodeSpec | None = None
        self.appendix: NodeSpec | None = None
        self.node: NodeSpec | None = None  # where text goes
        self.text_kind = "overview"
        self.text_heading = ""
        self.buffer: list[str] = []
        self.table_lines: list[tuple[int, str]] = []
        self.skipping_list = False

    def next_content(self, index: int) -> str:
        for line in self.lines[index + 1 :]:
            if clean_line(line):
                return clean_line(line)
        return ""

    # -- text buffering ---------------------------------------------------

    def flush(self):
        if self.node is None:
            self.buffer = []
            return
        paras = paragraphs(self.buffer)
        self.buffer = []
        if self.text_kind == "projects":
            self._flush_tables()
            captions, paras = paras, []
        else:
            captions = []
            while paras and self.text_kind == "actions" and is_caption(paras[-1]):
                captions.insert(0, paras.pop())
        if paras or (self.text_heading and self.node is self.appendix):
            self.node.texts.append(
                TextSpec(
                    kind=self.text_kind if self.text_kind != "projects" else "other",
                    heading=self.text_heading,
                    body=join_paragraphs(paras),
                )
            )
        for caption in captions:
            self.node.texts.append(TextSpec(kind="caption", heading="", body=caption))

    def _flush_tables(self):
        if not self.table_lines:
            return
        first = self.table_lines[0][0]
        block = "\n".join(line for _, line in self.table_lines)
        for table in parse_tables(block, first_line=first):
            self.node.table_rows.extend(table.rows)
        self.table_lines = []

    def start_text(self, kind: str, heading: str = ""):
        self.flush()
        self.text_kind, self.text_heading = kind, heading

    # -- structure --------------------------------------------------------

    def read(self) -> list[NodeSpec]:
        numeral = ""
        direction = measure_parent = None
        for index, raw in enumerate(self.lines):
            line = clean_line(raw)
            if "\t" in raw:
                if self.text_kind == "projects":
                    self.table_lines.append((index + 1, raw))
                else:
                    self.buffer.append(raw)
                continue
            if match := BASIC_POLICY.match(line):
                numeral = match["numeral"]
                self.flush()
                self.root = NodeSpec(title=self.next_content(index), code=numeral, depth_label=0)
                self.node, self.text_kind, self.text_heading = self.root, "overview", ""
                continue
            if (
                self.root
                and line == self.root.title
                and self.node is self.root
                and not any(buffered.strip() for buffered in self.buffer)
            ):
                continue
            if DIRECTION_LIST.match(line):
                self.flush()
                self.skipping_list = True
                continue
            if self.skipping_list:
                if raw.startswith("- ") or not line:
                    continue
                self.skipping_list = False
            if match := DIRECTION.match(raw.strip()):
                self.flush()
                direction = NodeSpec(
                    title=match["title"].strip(), code=f"{numeral}-{match['number']}", depth_label=1
                )
                self.root.children.append(direction)
                self.node, self.text_kind, self.text_heading = direction, "overview", ""
                measure_parent = None
                continue
            if match := BASIC_MEASURE.search(line):
                self.flush()
                measure_parent = NodeSpec(
                    title=match["title"].strip(),
                    code=f"{numeral}-{match['n']}-({match['m']})",
                    depth_label=2,
                )
                direction.children.append(measure_parent)
                self.node, self.text_kind = measure_parent, "overview"
                continue
            if line and SITUATION.match(self.next_content(index)) and not SITUATION.match(line):
                self.flush()
                measure = NodeSpec(title=line, depth_label=3)
                measure_parent.children.append(measure)
                self.node, self.text_kind, self.text_heading = measure, "overview", ""
                continue
            if SITUATION.match(line):
                self.start_text("situation", line)
                continue
            if ACTIONS.match(line):
                self.start_text("actions", re.sub(r"\s+", "", line))
                continue
            if PROJECTS.match(line):
                self.start_text("projects")
                continue
            if raw.startswith("## ") and not raw.startswith("## -"):
                # A chapter outside the tree of basic policies (the closing notes).
                self.flush()
                self.appendix = NodeSpec(title=line)
                self.node, self.text_kind, self.text_heading = self.appendix, "other", ""
                continue
            if self.appendix is not None and (match := SUBHEADING.match(raw.strip())):
                self.start_text("other", match["title"].strip())
                continue
            self.buffer.append(raw)
        self.flush()
        return [node for node in (self.root, self.appendix) if node]


def parse(text: str) -> list[PlanSpec]:
    nodes = _Reader(text).read()
    return [
        PlanSpec(
            slug="kawasaki-2011",
            municipality="kawasaki",
            kind="comprehensive",
            stage="adopted",
            title="川崎市 実行計画（2011～2013年度）",
            source="川崎市 実行計画（計画期間 2011～2013年度） 基本政策Ⅶ「参加と協働による市民自治のまちづくり」",
            start_fiscal_year=2011,
            end_fiscal_year=2013,
            summary=(
                "2011～2013年度の実行計画のうち、基本政策Ⅶ「参加と協働による市民自治のまちづくり」の全文"
                "（政策の基本方向、基本施策、施策、事務事業と年度別の事業内容・目標）を収録しています。"
            ),
            scheme=KAWASAKI_2011_NAME,
            levels=LEVELS,
            periods=[PeriodSpec("implementation", "実行計画", 2011, 2013)],
            nodes=nodes,
            bureaus={"CALS/EC整備推進事業(まちづくり局)": "まちづくり局"},
            home_note=HOME_NOTE,
        )
    ]
