"""Erasure beyond cells: an erased person's strings removed from every other place a workbook keeps text.

``scrub_package`` removes the strings from notes (with their VML boxes), hyperlinks (with their
relationship targets), dropdown prompts and error texts, autofilter criteria, document properties and
shared strings no cell uses any more. ``prove_erased`` then scans every part, XML unescaped, in NFC
(which also catches NFD text), case-folded, as whole words, and in binary parts as UTF-8 and UTF-16 bytes; anything
left (a cell still holding the name, a threaded comment, a chart cache) raises ``ErasureIncomplete``
before anything is written, naming the part.
"""

from __future__ import annotations

import html
import re
import unicodedata

from toolkit.model.errors import ErasureIncomplete
from toolkit.model.messages import Phrase
from toolkit.model.refs import split_cell
from toolkit.model.text import CASE_ENDING
from toolkit.xlsx.package import Package, parse_xml, q, rels_path, serialise_xml

_TEXT_PARTS = (".xml", ".vml", ".rels")
_DV_TEXTS = ("prompt", "promptTitle", "error", "errorTitle")
_DOC_PROPS = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


class Needles:
    """The strings to remove, matched case-folded in NFC and as whole words, a Finnish case ending allowed
    ("Ella Mäkelän äidille"): scrubbing "Eino Virta" leaves "Eino Virtanen" (another person) alone."""

    def __init__(self, strings):
        keys = sorted({_key(s).strip() for s in strings if s and s.strip()}, key=len, reverse=True)
        # one alternation, one pass over the text (a pattern per string made a big purge take minutes)
        addresses = [re.escape(k) for k in keys if "@" in k]
        words = [re.escape(k) for k in keys if "@" not in k]
        either = ([f"(?:{'|'.join(addresses)})"] if addresses else []) + \
            ([f"(?:{'|'.join(words)}){CASE_ENDING}"] if words else [])
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(either) + r")(?!\w)") if keys else None

    def in_text(self, text: str | None) -> bool:
        if not text or self.pattern is None:
            return False
        return self.pattern.search(_key(text)) is not None

    def in_part(self, data: bytes) -> bool:
        return self.in_text(html.unescape(data.decode("utf-8", "replace")))


def scrub_package(package: Package, session, strings) -> None:
    needles = Needles(strings)
    for sheet, part in list(package.sheets.items()):
        sheet_hit = needles.in_part(package.parts[part])
        rels_hit = needles.in_part(package.parts.get(rels_path(part), b""))
        if sheet_hit or rels_hit:
            _scrub_sheet(package, session.editor(sheet), needles)
        for comments in package.related(part, "comments"):
            if comments in package.parts and needles.in_part(package.parts[comments]):
                _scrub_comments(package, part, comments, needles, session.modified)
        for threads in package.related(part, "threadedComment"):
            if threads in package.parts and needles.in_part(package.parts[threads]):
                _scrub_threads(package, threads, needles, session.modified)
    for name in _DOC_PROPS:
        if name in package.parts and needles.in_part(package.parts[name]):
            root = parse_xml(package.parts[name])
            for el in root.iter():
                if isinstance(el.tag, str) and needles.in_text(el.text):
                    el.text = ""
            package.parts[name] = serialise_xml(root)
            session.modified.add(name)
    strings_part = session.strings.part
    if strings_part and needles.in_part(package.parts[strings_part]):
        session.strings_to_blank |= {i for i in range(len(session.strings)) if needles.in_text(session.strings.text(i))}


def _scrub_sheet(package: Package, editor, needles: Needles) -> None:
    root = editor.root
    targets = {rel.id: rel.target for rel in package.rels(editor.part)}
    links = root.find(q("hyperlinks"))
    if links is not None:
        for link in list(links):
            texts = [link.get(a) for a in ("display", "tooltip", "location")]
            rel_id = link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            texts.append(targets.get(rel_id))
            if any(needles.in_text(t) for t in texts):
                links.remove(link)
                if rel_id:
                    editor.dropped_rels.add(rel_id)
        if len(links) == 0:
            root.remove(links)
    for validation in root.iter(q("dataValidation"), "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}dataValidation"):
        for attr in _DV_TEXTS:
            if needles.in_text(validation.get(attr)):
                del validation.attrib[attr]
    for criterion in list(root.iter(q("filter"), q("customFilter"))):
        if needles.in_text(criterion.get("val")):
            criterion.getparent().remove(criterion)
    for column in list(root.iter(q("filterColumn"))):
        if all(len(child) == 0 and not child.attrib for child in column):
            column.getparent().remove(column)


def _scrub_comments(package: Package, sheet_part: str, part: str, needles: Needles, modified: set[str]) -> None:
    root = parse_xml(package.parts[part])
    gone = set()
    for comment in list(root.iter(q("comment"))):
        if needles.in_text("".join(comment.itertext())):
            gone.add(split_cell(comment.get("ref").split(":")[0]))
            comment.getparent().remove(comment)
    package.parts[part] = serialise_xml(root)
    modified.add(part)
    for vml in package.related(sheet_part, "vmlDrawing"):
        if vml in package.parts:
            package.parts[vml] = _drop_note_shapes(package.parts[vml], gone)
            modified.add(vml)
    authors = root.find(q("authors"))
    if authors is not None and any(needles.in_text(a.text) for a in authors):
        for author in authors:
            if needles.in_text(author.text):
                author.text = ""
        package.parts[part] = serialise_xml(root)


def _scrub_threads(package: Package, part: str, needles: Needles, modified: set[str]) -> None:
    """A thread that mentions the person goes whole (its replies share the cell reference)."""
    root = parse_xml(package.parts[part])
    refs = {c.get("ref") for c in root if isinstance(c.tag, str) and needles.in_text("".join(c.itertext()))}
    for comment in list(root):
        if isinstance(comment.tag, str) and comment.get("ref") in refs:
            root.remove(comment)
    package.parts[part] = serialise_xml(root)
    modified.add(part)


_SHAPE = re.compile(rb"<v:shape\b.*?</v:shape>", re.DOTALL)
_ROWCOL = re.compile(rb"<x:Row>\s*(\d+)\s*</x:Row>\s*<x:Column>\s*(\d+)\s*</x:Column>")


def _drop_note_shapes(data: bytes, cells: set[tuple[int, int]]) -> bytes:
    def shape(match: re.Match) -> bytes:
        found = _ROWCOL.search(match.group())
        if found and b'ObjectType="Note"' in match.group():
            if (int(found.group(1)) + 1, int(found.group(2)) + 1) in cells:
                return b""
        return match.group()

    return _SHAPE.sub(shape, data)


def prove_erased(package: Package, strings) -> None:
    """ErasureIncomplete naming the first part that still holds one of ``strings``."""
    needles = Needles(strings)
    raw = []
    for s in dict.fromkeys(strings):
        for form in {unicodedata.normalize("NFC", s), unicodedata.normalize("NFD", s)}:
            raw += [form.encode("utf-8"), form.encode("utf-16-le")]
    for name, data in package.parts.items():
        if name.endswith(_TEXT_PARTS):
            hit = needles.in_part(data)
        else:
            hit = any(r in data for r in raw)
        if hit:
            raise ErasureIncomplete("scrub-data-would-remain", part=name, where=_where(package, name))


def _where(package: Package, name: str) -> Phrase:
    for sheet, part in package.sheets.items():
        if part == name:
            return Phrase("scrub-part-sheet", sheet=sheet)
    if "threadedComment" in name:
        return Phrase("scrub-part-threaded-comment")
    if name.startswith("xl/charts/"):
        return Phrase("scrub-part-chart")
    if name.startswith("xl/pivotCache/"):
        return Phrase("scrub-part-pivot")
    return Phrase("scrub-part-other")



