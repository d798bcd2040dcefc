"""Parts of a long PDF laid out in child processes and joined into one tagged document
(``projects.printing.in_children``, ``projects.pdf_parts``) — in memory that does not
grow with the number of parts."""

import gc
import io
import os
import tracemalloc

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from policies.models import Plan
from projects import pdf_parts, printing

BASE_URL = "http://testserver/"


def part_html(name: str) -> str:
    """Two pages: a heading with an anchor and a link to it, then a table."""
    return f"""<!doctype html><html lang="ja"><head><title>結合の試験</title></head>
<body class="print-page"><h1 id="{name}">{name}の見出し</h1><p>{name}の本文です。</p>
<p><a href="#{name}">{name}へのリンク</a></p>
<table style="break-before: page"><tr><th>項目</th><td>{name}の表</td></tr></table>
</body></html>"""


def furniture(tmp_path, pages: int):
    sheets = "".join(
        f'<div class="sheet">ヘッダー {n} / {pages}</div>' for n in range(1, pages + 1)
    )
    path = tmp_path / "furniture.pdf"
    printing.write_furniture(f'<html lang="ja"><body>{sheets}</body></html>', BASE_URL, path)
    return path


@pytest.fixture
def parts(tmp_path):
    """Two parts laid out in child processes: their files, and what came back."""
    paths, styles = [tmp_path / "one.pdf", tmp_path / "two.pdf"], printing.part_styles()
    calls = [
        lambda: printing.lay_out(part_html("第一部"), BASE_URL, paths[0], styles),
        lambda: printing.lay_out(part_html("第二部"), BASE_URL, paths[1], styles),
    ]
    return paths, list(printing.in_children(calls, processes=2))


def join_files(parts, furniture, outline, output) -> None:
    join = pdf_parts.TaggedJoin(output, pdf_parts.pdf_header(parts[0]))
    for path in parts:
        join.add_file(path)
    join.finish(outline, furniture)


def join(parts, furniture, outline) -> PdfReader:
    output = io.BytesIO()
    join_files(parts, furniture, outline, output)
    return PdfReader(output)


def test_parts_laid_out_in_children_report_their_pages_and_anchors(parts):
    paths, laid_out = parts
    assert [part.pages for part in laid_out] == [2, 2]
    assert laid_out[1].anchors["第二部"] == 0
    assert [len(PdfReader(path).pages) for path in paths] == [2, 2]


def test_joined_parts_are_one_tagged_pdf_stamped_with_the_furniture(parts, tmp_path):
    paths, _ = parts
    outline = [(0, "全体", 0), (1, "第一部", 0), (1, "第二部", 2), (2, "第二部の表", 3)]
    reader = join(paths, furniture(tmp_path, 4), outline)

    assert len(reader.pages) == 4
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"ヘッダー {number} / 4" in text  # stamped on its own page
    assert "第一部の本文" in texts[0] and "第二部の表" in texts[3]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ja" and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Metadata"]["/Subtype"] == "/XML"  # the first part's XMP (PDF/UA)
    assert reader.metadata.title == "結合の試験"
    # The furniture is a Form XObject drawn after the page, as an artifact.
    for page in reader.pages:
        form = page["/Resources"]["/XObject"]["/PPFurniture"]
        assert form.get_data().startswith(b"/Artifact BMC")
        assert b"/PPFurniture Do" in page["/Contents"][-1].get_object().get_data()
    # Bookmarks nested as given, each on its page.
    (top, (first, second, (table,))) = reader.outline
    assert [top.title, first.title, second.title, table.title] == [o[1] for o in outline]
    pages = [reader.get_destination_page_number(item) for item in (top, first, second, table)]
    assert pages == [0, 0, 2, 3]
    # Each part's anchor is a named destination of the joined file, on its page.
    destinations = reader.named_destinations
    assert reader.get_destination_page_number(destinations["第二部"]) == 2


def test_a_part_joined_at_the_start_goes_before_those_joined_so_far(parts, tmp_path):
    """A whole plan's cover and contents are laid out last but printed first."""
    (one, two), _ = parts
    output = io.BytesIO()
    join = pdf_parts.TaggedJoin(output, pdf_parts.pdf_header(two))
    join.add_file(two)
    join.add_file(one, at_start=True)
    join.finish([(0, "第一部", 0), (0, "第二部", 2)], furniture(tmp_path, 4))
    reader = PdfReader(output)

    texts = [page.extract_text() for page in reader.pages]
    assert "第一部の本文" in texts[0] and "第二部の表" in texts[3]
    for number, text in enumerate(texts, start=1):
        assert f"ヘッダー {number} / 4" in text  # the furniture follows the printed order
    (document,) = reader.trailer["/Root"]["/StructTreeRoot"]["/K"]
    headings = [kid for kid in document.get_object()["/K"] if kid.get_object()["/S"] == "/H1"]
    page_numbers = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    assert [page_numbers[heading.get_object().raw_get("/Pg").idnum] for heading in headings] == [
        0,
        2,
    ]
    assert [reader.get_destination_page_number(item) for item in reader.outline] == [0, 2]


def test_the_join_child_joins_parts_as_they_are_sent(parts, tmp_path):
    paths, _ = parts
    with printing.Joining(tmp_path / "joined.pdf") as join:
        for path in paths:
            join.add(path)
        join.finish([], furniture(tmp_path, 4))
    reader = PdfReader(tmp_path / "joined.pdf")
    assert "ヘッダー 4 / 4" in reader.pages[3].extract_text()


def test_a_join_that_fails_raises_its_traceback_and_leaves_no_process(parts, tmp_path):
    paths, _ = parts
    not_a_pdf = tmp_path / "broken.pdf"
    not_a_pdf.write_bytes(b"%PDF-1.7\nnot a PDF")
    with printing.Joining(tmp_path / "joined.pdf") as join:
        join.add(paths[0])
        join.add(not_a_pdf)
        with pytest.raises(printing.PdfPartFailed, match="pypdf"):
            join.finish([], furniture(tmp_path, 4))
    assert join.child is None


def test_a_build_that_fails_before_the_join_finishes_ends_the_join(parts, tmp_path):
    paths, _ = parts
    with pytest.raises(RuntimeError), printing.Joining(tmp_path / "joined.pdf") as join:
        join.add(paths[0])
        pid, _ = join.child
        raise RuntimeError("a layout failed")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # reaped: neither running nor a zombie


def test_the_joined_structure_tree_points_at_the_joined_pages(parts, tmp_path):
    paths, _ = parts
    reader = join(paths, furniture(tmp_path, 4), [])
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    (document,) = tree["/K"]
    document = document.get_object()
    part_kids = [
        len(PdfReader(path).trailer["/Root"]["/StructTreeRoot"]["/K"][0]["/K"]) for path in paths
    ]
    assert len(document["/K"]) == sum(part_kids)
    assert all(
        kid["/P"].indirect_reference == document.indirect_reference for kid in document["/K"]
    )
    numbers = tree["/ParentTree"]["/Nums"]
    entries = dict(zip(numbers[::2], numbers[1::2], strict=True))
    assert len(entries) == len(numbers) // 2 and tree["/ParentTreeNextKey"] > max(entries)
    page_numbers = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    for index, page in enumerate(reader.pages):
        elements = entries[page["/StructParents"]].get_object()
        assert elements
        for element in elements:
            assert page_numbers[element.get_object().raw_get("/Pg").idnum] == index
    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in (page["/Annots"] if "/Annots" in page else [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert len(links) == 2  # one a part, each its own key, tagged as a link
    assert len({link["/StructParent"] for link in links}) == 2
    for link in links:
        assert entries[link["/StructParent"]].get_object()["/S"] == "/Link"


def test_every_reference_of_the_joined_file_is_to_an_object_it_has(parts, tmp_path):
    paths, _ = parts
    reader = join(paths, furniture(tmp_path, 4), [(0, "第一部", 0), (0, "第二部", 2)])
    offsets = reader.xref[0]  # no object streams: every object has its offset
    seen, stack = set(), [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            assert obj.idnum in offsets, obj
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    assert len(seen) == len(offsets)  # nothing written that nothing refers to


def test_furniture_for_another_number_of_pages_is_refused(parts, tmp_path):
    paths, _ = parts
    with pytest.raises(ValueError, match="furniture for 3 pages"):
        join(paths, furniture(tmp_path, 3), [])


def test_the_join_takes_the_same_memory_for_two_parts_or_eight(parts, tmp_path):
    paths, _ = parts

    def peak(count: int) -> int:
        stamps = furniture(tmp_path, 2 * count)
        with (tmp_path / "joined.pdf").open("wb") as output:
            tracemalloc.start()
            join_files(paths * (count // 2), stamps, [], output)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return peak

    assert peak(8) < 1.3 * peak(2)  # one part open at a time, whatever their number


def test_a_child_that_fails_raises_its_traceback_and_the_database_stays_usable(db):
    def fail():
        raise RuntimeError("WeasyPrint failed")

    assert list(printing.in_children([lambda: 1, lambda: 2, lambda: 3], processes=2)) == [1, 2, 3]
    with pytest.raises(printing.PdfPartFailed, match="RuntimeError: WeasyPrint failed"):
        printing.in_child(fail)
    assert Plan.objects.filter(slug="kawasaki-2011").exists()  # the parent's connection


def test_a_child_collects_no_cyclic_garbage_and_the_parent_still_does():
    """Collections took a fifth of a layout's CPU time; the child's memory ends with it."""
    assert printing.in_child(gc.isenabled) is False
    assert gc.isenabled()
