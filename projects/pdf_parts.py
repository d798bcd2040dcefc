"""A PDF built from parts rendered one after another: one document again, tags and all.

WeasyPrint keeps every laid-out page of a document in memory until the PDF is written,
so a section of hundreds of pages takes gigabytes. ``projects.printing`` renders long
sections in parts (runs of whole nodes, in printed order); this joins the parts' PDFs
into one tagged document — one structure tree, one outline — and stamps the running
header and the page numbers (``n / N``, continuous over the parts) from a furniture PDF
of empty pages, marked as artifacts as WeasyPrint marks its own margin boxes.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, NameObject, NumberObject


def join_tagged(parts: list[bytes]) -> PdfWriter:
    """The parts' pages in order, with the structure tree of the first part holding
    every part's elements and a parent tree renumbered to match."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(parts[0])))
    tree = writer.root_object["/StructTreeRoot"]
    document = tree["/K"][0].get_object()
    numbers = tree["/ParentTree"].get_object()["/Nums"]
    for data in parts[1:]:
        reader = PdfReader(BytesIO(data))
        offset = max(numbers[::2], default=-1) + 1
        for page in reader.pages:
            for annotation in page.get("/Annots", []):
                _shift(annotation.get_object(), "/StructParent", offset)
        part_tree = reader.root_object["/StructTreeRoot"]
        kids = part_tree["/K"][0].get_object()["/K"]
        for kid in kids:  # now children of the joined document, not of the part's
            kid.get_object()[NameObject("/P")] = document.indirect_reference
        start = len(writer.pages)
        # Pages first: the elements' /Pg then point to the copies. pypdf drops the pages'
        # /StructParents (their keys in the parent tree): set again, renumbered.
        writer.append(reader, import_outline=False)
        for page, part_page in zip(writer.pages[start:], reader.pages, strict=True):
            if "/StructParents" in part_page:
                page[NameObject("/StructParents")] = NumberObject(
                    part_page["/StructParents"] + offset
                )
        document["/K"].extend(kid.clone(writer) for kid in kids)
        part_numbers = part_tree["/ParentTree"].get_object()["/Nums"]
        for key, elements in zip(part_numbers[::2], part_numbers[1::2], strict=True):
            numbers.extend([NumberObject(key + offset), elements.clone(writer)])
    return writer


def replace_outline(writer: PdfWriter, items: list[tuple[int, str, int]]) -> None:
    """The bookmarks as (depth, title, page index) in order: each part's own outline would
    start at its first heading's level, whatever its depth in the section."""
    del writer.root_object["/Outlines"]
    parents = []
    for depth, title, page in items:
        del parents[depth:]
        parent = parents[-1] if parents else None
        parents.append(writer.add_outline_item(title=title, page_number=page, parent=parent))


def _shift(dictionary, key: str, offset: int) -> None:
    if key in dictionary:
        dictionary[NameObject(key)] = NumberObject(dictionary[key] + offset)


def stamp_furniture(writer: PdfWriter, furniture: bytes) -> None:
    """Lay each page of ``furniture`` (header and page number only) over the joined page."""
    reader = PdfReader(BytesIO(furniture))
    if len(reader.pages) != len(writer.pages):
        raise ValueError(f"furniture for {len(reader.pages)} pages, not {len(writer.pages)}")
    for page, sheet in zip(writer.pages, reader.pages, strict=True):
        stream = ContentStream(sheet.get_contents(), reader)
        stream.set_data(b"/Artifact BMC\n" + stream.get_data() + b"\nEMC\n")
        sheet[NameObject("/Contents")] = stream
        page.merge_page(sheet)
        page.compress_content_streams()  # merging left them uncompressed: 9 × the size


def to_bytes(writer: PdfWriter) -> bytes:
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
