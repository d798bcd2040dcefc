"""A PDF built from parts rendered one after another: one document again, tags and all.

WeasyPrint keeps every laid-out page of a document in memory until the PDF is written,
so a section of hundreds of pages takes gigabytes. ``projects.printing`` renders long
sections in parts (runs of whole nodes, in printed order); ``TaggedJoin`` joins the
parts' PDF files into one tagged document — one structure tree, one outline, one set of
named destinations — and stamps the running header and the page numbers (``n / N``,
continuous over the parts) from a furniture PDF of empty pages, marked as artifacts as
WeasyPrint marks its own margin boxes.

The join is bounded: a PDF writer that holds every part's objects (pypdf's, qpdf's)
grows by about 1 MB a page. Here one part is open at a time; each of its objects that
the joined document reaches is copied to the output file as soon as it is met, its
references renumbered, and only small maps (old number → new number, byte offsets,
page numbers, parent-tree keys, destination names) outlive the part. Page contents are
never parsed: the furniture of a page is a Form XObject drawn by a small content stream
added to the page's ``/Contents``.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

FURNITURE = NameObject("/PPFurniture")  # the XObject a page's header and number are in
# A page's own content ends with WeasyPrint's coordinate flip still in force: it runs
# between q and Q, then the furniture is drawn in the page's default space.
OPEN_PAGE = b"q\n"
CLOSE_PAGE = b"Q\nq %s Do Q\n" % FURNITURE.encode()
# Entries of a part's catalog the join writes itself (the rest come from the first part).
REBUILT = {"/Type", "/Pages", "/StructTreeRoot", "/Outlines", "/Names", "/Dests"}

Outline = list[tuple[int, str, int]]  # (depth, title, page index), in order


class Written(PdfObject):
    """A reference to an object of the output file (``n 0 R``), in a part's object tree."""

    def __init__(self, number: int) -> None:
        self.number = number

    def write_to_stream(self, stream, encryption_key=None) -> None:
        stream.write(b"%d 0 R" % self.number)


class Output:
    """The joined PDF as it is written: each object goes to the file at once and only its
    byte offset stays, for the cross-reference table."""

    def __init__(self, file: BinaryIO, header: str) -> None:
        self.file = file
        self.offsets = array("Q", [0])  # by object number; 0: not written (yet)
        file.write(header.encode() + b"\n%\xe2\xe3\xcf\xd3\n")  # binary: 4 high bytes

    def reserve(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def write(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.file.tell()
        self.file.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def add(self, body: bytes) -> int:
        number = self.reserve()
        self.write(number, body)
        return number

    def stream(self, data: bytes, entries: bytes = b"", number: int | None = None) -> int:
        """A content stream, compressed: a new object, or the one ``number`` reserved."""
        data = zlib.compress(data)
        body = b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n" % (entries, len(data))
        number = self.reserve() if number is None else number
        self.write(number, body + data + b"\nendstream")
        return number

    def finish(self, root: int, info: int | None) -> None:
        """The cross-reference table and the trailer; the file's ID is a digest of it."""
        missing = [number for number, offset in enumerate(self.offsets) if not offset][1:]
        if missing:
            raise ValueError(f"objects referenced but never written: {missing[:10]}")
        start = self.file.tell()
        table = b"".join(b"%010d 00000 n \n" % offset for offset in self.offsets[1:])
        self.file.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets) + table)
        identifier = hashlib.md5(table, usedforsecurity=False).hexdigest().encode()
        info_entry = b" /Info %d 0 R" % info if info else b""
        self.file.write(
            b"trailer\n<< /Size %d /Root %d 0 R%s /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self.offsets), root, info_entry, identifier, identifier, start)
        )


def serialize(obj, renumber) -> bytes:
    """``obj`` as PDF syntax, each reference to an object of its file renumbered."""
    out = BytesIO()
    _write(obj, out, renumber)
    return out.getvalue()


def _write(obj, out: BytesIO, renumber) -> None:
    if isinstance(obj, IndirectObject):
        out.write(b"%d 0 R" % renumber(obj.idnum))
    elif isinstance(obj, StreamObject):
        data = obj._data  # as stored (still compressed): pypdf has no public accessor
        _write_dictionary(obj, out, renumber, length=len(data))
        out.write(b"\nstream\n%s\nendstream" % data)
    elif isinstance(obj, DictionaryObject):
        _write_dictionary(obj, out, renumber)
    elif isinstance(obj, ArrayObject):
        out.write(b"[")
        for item in obj:
            out.write(b" ")
            _write(item, out, renumber)
        out.write(b" ]")
    else:
        obj.write_to_stream(out)


def _write_dictionary(dictionary, out: BytesIO, renumber, length: int | None = None) -> None:
    out.write(b"<<")
    _write_entries(dictionary.items(), out, renumber, length)
    out.write(b"\n>>")


def _write_entries(entries, out: BytesIO, renumber, length: int | None = None) -> None:
    for key, value in entries:
        if key != "/Length" or length is None:
            out.write(b"\n")
            key.write_to_stream(out)  # a name, escaped as it needs
            out.write(b" ")
            _write(value, out, renumber)
    if length is not None:
        out.write(b"\n/Length %d" % length)


def _get(dictionary, key: str, default=None):
    """``dictionary[key]`` resolved (pypdf's ``get`` gives references as they are)."""
    return dictionary[key] if key in dictionary else default


class Copier:
    """One input PDF's objects in the output: each object the output refers to is copied
    once, under a new number, with the objects it refers to (``flush``)."""

    def __init__(self, reader: PdfReader, output: Output, numbers: dict[int, int]) -> None:
        self.reader = reader
        self.output = output
        self.numbers = dict(numbers)  # the input's object number → the output's
        self.pending: list[int] = []

    def number(self, idnum: int) -> int:
        """The output number of an input object, which is then copied by ``flush``."""
        if idnum not in self.numbers:
            self.numbers[idnum] = self.output.reserve()
            self.pending.append(idnum)
        return self.numbers[idnum]

    def claim(self, idnum: int) -> int:
        """The output number of an input object the join writes itself (a page)."""
        if idnum not in self.numbers:
            self.numbers[idnum] = self.output.reserve()
        return self.numbers[idnum]

    def serialize(self, obj) -> bytes:
        return serialize(obj, self.number)

    def entries(self, dictionary, leave_out: set[str]) -> bytes:
        """The entries of ``dictionary`` but those in ``leave_out``, for a dictionary the
        join writes with entries of its own."""
        out = BytesIO()
        entries = ((key, value) for key, value in dictionary.items() if key not in leave_out)
        _write_entries(entries, out, self.number)
        return out.getvalue()

    def flush(self) -> None:
        while self.pending:
            idnum = self.pending.pop()
            obj = self.reader.get_object(IndirectObject(idnum, 0, self.reader))
            self.output.write(self.numbers[idnum], self.serialize(obj))


def number_tree(node) -> Iterator[tuple[int, object]]:
    """The (key, raw value) pairs of a number tree, in order."""
    yield from _tree_pairs(node, "/Nums")


def name_tree(node) -> Iterator[tuple[object, object]]:
    yield from _tree_pairs(node, "/Names")


def _tree_pairs(node, key: str):
    node = node.get_object()
    if key in node:
        pairs = node[key]
        yield from zip(pairs[::2], pairs[1::2], strict=True)
    for kid in _get(node, "/Kids", []):
        yield from _tree_pairs(kid, key)


def _name_bytes(name) -> bytes:
    return name.original_bytes if hasattr(name, "original_bytes") else bytes(name)


class Furniture:
    """The furniture PDF's pages as Form XObjects, one a page; its fonts copied once."""

    def __init__(self, path: Path, output: Output) -> None:
        self.reader = PdfReader(path)
        self.copier = Copier(self.reader, output, {})
        # References only: pypdf's ``pages`` would hold every page's objects until the end.
        self.pages = list(page_references(self.reader.trailer["/Root"].raw_get("/Pages")))
        self.forget()

    def __len__(self) -> int:
        return len(self.pages)

    def form(self, index: int, number: int) -> None:
        """Page ``index`` as a Form XObject (object ``number``, reserved when the page it
        is drawn on was written), its drawing marked as an artifact."""
        page = self.pages[index].get_object()
        data = b"\n".join(stream.get_object().get_data() for stream in _contents(page))
        entries = b"/Type /XObject /Subtype /Form /BBox %s /Resources %s" % (
            self.copier.serialize(page["/MediaBox"]),
            self.copier.serialize(page.raw_get("/Resources")),
        )
        self.copier.output.stream(b"/Artifact BMC\n%s\nEMC\n" % data, entries, number)
        self.copier.flush()
        self.forget()

    def forget(self) -> None:
        """pypdf keeps every object it has read: the pages' go once used (the copier has
        the shared fonts' numbers and reads none of them again). Cheap only in a file
        without object streams (``printing.write_furniture``): an object in a stream is
        read again with the whole stream."""
        self.reader.resolved_objects.clear()


def page_references(node) -> Iterator[IndirectObject]:
    """The references to the pages under a page-tree node, in order."""
    for kid in node.get_object()["/Kids"]:
        if kid.get_object()["/Type"] == "/Pages":
            yield from page_references(kid)
        else:
            yield kid


def _contents(page) -> list:
    """The references to a page's content streams (one, or an array of them)."""
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [contents]


class TaggedJoin:
    """The joined document's own objects (catalog, page tree, structure tree root and
    document element, parent tree, outline, destinations) and what they list.

    Parts may come as they are laid out, the furniture last: it needs the number of
    pages, and each page refers to its furniture by an object number reserved when the
    page is written. A part can also go before those already joined (a whole plan's
    cover and contents, laid out once the tree's page numbers are known)."""

    def __init__(self, file: BinaryIO, header: str) -> None:
        self.output = Output(file, header)
        reserve = self.output.reserve
        self.catalog, self.pages_tree, self.tree_root = reserve(), reserve(), reserve()
        self.document, self.outline_root, self.names = reserve(), reserve(), reserve()
        self.open_page = self.output.stream(OPEN_PAGE)
        self.close_page = self.output.stream(CLOSE_PAGE)
        self.pages: list[int] = []
        self.forms: list[int] = []  # the furniture of each page, reserved
        self.elements: list[int] = []  # the document element's children
        self.parent_tree: list[tuple[int, int]] = []  # (key, its value's object)
        self.next_key = 0
        self.destinations: dict[bytes, bytes] = {}
        self.info: int | None = None
        self.tree_entries = self.document_entries = b""

    def add_file(self, path: Path, at_start: bool = False) -> None:
        # Closing the reader clears its objects, each of which refers back to it: they are
        # given back now, not at the garbage collector's next full pass.
        with PdfReader(path) as reader:
            self.add_part(reader, at_start)

    def add_part(self, reader: PdfReader, at_start: bool = False) -> None:
        """Copy a part: its pages (stamped), structure elements, parent-tree entries and
        named destinations, after the parts joined so far or ``at_start``; the first part
        also gives the catalog and the information."""
        root = reader.trailer["/Root"]
        tree = root["/StructTreeRoot"]
        document_element = tree["/K"][0]  # a reference (arrays keep them as they are)
        copier = Copier(
            reader,
            self.output,
            {  # the part's objects that the joined document has its own of
                root.raw_get("/Pages").idnum: self.pages_tree,
                root.raw_get("/StructTreeRoot").idnum: self.tree_root,
                document_element.idnum: self.document,
            },
        )
        if not self.pages:
            self._take_document_entries(reader, copier, document_element.get_object())
        offset = self.next_key
        at = 0 if at_start else len(self.pages)
        pages, forms = self._add_pages(reader, copier, offset)
        self.pages[at:at], self.forms[at:at] = pages, forms
        kids = document_element.get_object()["/K"]
        at = 0 if at_start else len(self.elements)
        self.elements[at:at] = [copier.number(kid.idnum) for kid in kids]
        self._add_parent_tree(tree, copier, offset)
        self._add_destinations(root, copier)
        copier.flush()

    def _take_document_entries(self, reader: PdfReader, copier: Copier, element) -> None:
        """The first part's catalog (language, PDF/UA flags, XMP metadata…), information
        dictionary, and the entries of its structure root and document element."""
        catalog = reader.trailer["/Root"]
        self.output.write(
            self.catalog,
            b"<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R /Outlines %d 0 R"
            b" /Names << /Dests %d 0 R >> %s >>"
            % (
                self.pages_tree,
                self.tree_root,
                self.outline_root,
                self.names,
                copier.entries(catalog, REBUILT),
            ),
        )
        if "/Info" in reader.trailer:
            self.info = self.output.add(copier.serialize(reader.trailer["/Info"]))
        tree = catalog["/StructTreeRoot"]
        self.tree_entries = copier.entries(
            tree, {"/Type", "/K", "/ParentTree", "/ParentTreeNextKey"}
        )
        self.document_entries = copier.entries(element, {"/K", "/P"})

    def _add_pages(self, reader: PdfReader, copier: Copier, offset: int):
        """Each page with its furniture: the page's resources get the Form XObject, its
        contents a stream that draws it; its keys in the parent tree are shifted. The
        numbers of the pages and of their furniture's forms."""
        pages = reader.pages
        numbers = [copier.claim(page.indirect_reference.idnum) for page in pages]
        forms = [self.output.reserve() for _ in pages]
        for page, number, form in zip(pages, numbers, forms, strict=True):
            for annotation in _get(page, "/Annots", []):
                _shift(annotation.get_object(), "/StructParent", offset)  # copied later
            stamped = DictionaryObject(page.items())
            _shift(stamped, "/StructParents", offset)
            stamped[NameObject("/Parent")] = Written(self.pages_tree)
            stamped[NameObject("/Resources")] = _with_furniture(page["/Resources"], form)
            stamped[NameObject("/Contents")] = ArrayObject(
                [Written(self.open_page), *_contents(page), Written(self.close_page)]
            )
            self.output.write(number, copier.serialize(stamped))
        return numbers, forms

    def _add_parent_tree(self, tree, copier: Copier, offset: int) -> None:
        """The part's parent-tree entries, keys shifted past the previous parts'."""
        end = offset
        for key, value in number_tree(tree["/ParentTree"]):
            if isinstance(value, IndirectObject):
                number = copier.number(value.idnum)
            else:  # a page's array of elements, inline: an object of its own here
                number = self.output.add(copier.serialize(value))
            self.parent_tree.append((key + offset, number))
            end = max(end, key + offset + 1)
        self.next_key = max(end, offset + _get(tree, "/ParentTreeNextKey", 0))

    def _add_destinations(self, root, copier: Copier) -> None:
        """Named destinations (link targets, and URLs' fragments in a PDF reader)."""
        pairs = []
        if "/Names" in root and "/Dests" in root["/Names"]:
            pairs = name_tree(root["/Names"]["/Dests"])
        elif "/Dests" in root:  # the older form: a dictionary of names
            pairs = ((key[1:].encode(), value) for key, value in root["/Dests"].items())
        for name, destination in pairs:
            self.destinations.setdefault(_name_bytes(name), copier.serialize(destination))

    def finish(self, outline: Outline, furniture: Path) -> None:
        """The pages' furniture; the objects that list every part's: page tree, structure
        tree, parent tree, destinations, outline; then the cross-reference table."""
        stamps = Furniture(furniture, self.output)
        if len(self.pages) != len(stamps):
            raise ValueError(f"furniture for {len(stamps)} pages, not {len(self.pages)}")
        for index, form in enumerate(self.forms):
            stamps.form(index, form)
        stamps.reader.close()
        write = self.output.write
        write(
            self.pages_tree,
            b"<< /Type /Pages /Count %d /Kids %s >>" % (len(self.pages), _references(self.pages)),
        )
        parent_tree = self.output.add(
            b"<< /Nums [%s] >>"
            % b" ".join(b"%d %d 0 R" % (key, number) for key, number in self.parent_tree)
        )
        write(
            self.tree_root,
            b"<< /Type /StructTreeRoot /K [%d 0 R] /ParentTree %d 0 R /ParentTreeNextKey %d%s >>"
            % (self.document, parent_tree, self.next_key, self.tree_entries),
        )
        write(
            self.document,
            b"<<%s /P %d 0 R /K %s >>"
            % (self.document_entries, self.tree_root, _references(self.elements)),
        )
        names = b" ".join(
            b"<%s> %s" % (name.hex().encode(), destination)
            for name, destination in sorted(self.destinations.items())
        )
        write(self.names, b"<< /Names [%s] >>" % names)
        write_outline(self.output, self.outline_root, outline, self.pages)
        self.output.finish(self.catalog, self.info)


def _shift(dictionary, key: str, offset: int) -> None:
    if key in dictionary:
        dictionary[NameObject(key)] = NumberObject(dictionary[key] + offset)


def _with_furniture(resources: DictionaryObject, form: int) -> DictionaryObject:
    """A page's own copy of its resources (WeasyPrint shares one among all pages) with
    the furniture's Form XObject added."""
    copy = DictionaryObject(resources.items())
    xobjects = DictionaryObject(_get(resources, "/XObject", DictionaryObject()).items())
    xobjects[FURNITURE] = Written(form)
    copy[NameObject("/XObject")] = xobjects
    return copy


def _references(numbers: list[int]) -> bytes:
    return b"[%s]" % b" ".join(b"%d 0 R" % number for number in numbers)


def write_outline(output: Output, root: int, items: Outline, pages: list[int]) -> None:
    """The bookmarks as (depth, title, page index) in order, all open; each part's own
    outline would start at its first heading's level, whatever its depth in the section."""
    top = -1  # the outline's root, as a parent
    parents, previous, following = [top] * len(items), [None] * len(items), [None] * len(items)
    first, last, counts = {}, {}, [0] * len(items)  # by parent: children, open items below
    chain: list[int] = []
    for index, (depth, _, _) in enumerate(items):
        del chain[depth:]
        parent = parents[index] = chain[-1] if chain else top
        for above in chain:
            counts[above] += 1
        if parent in last:
            previous[index], following[last[parent]] = last[parent], index
        else:
            first[parent] = index
        last[parent] = index
        chain.append(index)
    numbers = [output.reserve() for _ in items]

    def ref(key: bytes, index: int) -> bytes:
        return b"/%s %d 0 R" % (key, root if index == top else numbers[index])

    for index, (_, title, page) in enumerate(items):
        entries = [
            b"/Title " + serialize(TextStringObject(title), None),
            ref(b"Parent", parents[index]),
            b"/Dest [%d 0 R /Fit]" % pages[page],
        ]
        if previous[index] is not None:
            entries.append(ref(b"Prev", previous[index]))
        if following[index] is not None:
            entries.append(ref(b"Next", following[index]))
        if index in first:
            entries += [ref(b"First", first[index]), ref(b"Last", last[index])]
            entries.append(b"/Count %d" % counts[index])
        output.write(numbers[index], b"<< %s >>" % b" ".join(entries))
    entries = [b"/Type /Outlines"]
    if top in first:
        entries += [ref(b"First", first[top]), ref(b"Last", last[top]), b"/Count %d" % len(items)]
    output.write(root, b"<< %s >>" % b" ".join(entries))


def pdf_header(path: Path) -> str:
    """A part's first line (``%PDF-1.7``), which the joined document keeps."""
    with path.open("rb") as file:
        return file.readline().strip().decode()
