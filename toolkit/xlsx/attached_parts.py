"""Parts attached to a sheet that must follow its rows when rows are deleted: notes (legacy and Excel 365
threaded comments), tables, defined names and relationships.

A note on a deleted row goes with it (its text may name the person); notes below move up. Excel keeps a
note in two parts: ``xl/commentsN.xml`` (``<comment ref="B7">``) and a VML drawing whose shape carries
the zero-based ``<x:Row>`` and an ``<x:Anchor>`` of the box. VML is edited as text: Excel's VML is not
always well-formed XML.
"""

from __future__ import annotations

import re

from toolkit.xlsx.package import NS_PKG_REL, Package, parse_xml, q, rels_path, serialise_xml
from toolkit.xlsx.row_shifts import RowMap, anchor_rows, defined_name_refs, shift_ref

_SHAPE = re.compile(rb"<v:shape\b.*?</v:shape>", re.DOTALL)
_ROW = re.compile(rb"(<x:Row>\s*)(\d+)(\s*</x:Row>)")
_ANCHOR = re.compile(rb"(<x:Anchor>\s*)([^<]*)(</x:Anchor>)")


def rels_of(part: str) -> str:
    return rels_path(part)


def drop_relationship(package: Package, part: str, rel_id: str) -> bool:
    """Remove one relationship of ``part`` (a hyperlink target that went with its row)."""
    name = rels_path(part)
    if name not in package.parts:
        return False
    root = parse_xml(package.parts[name])
    for el in root.iter(q("Relationship", NS_PKG_REL)):
        if el.get("Id") == rel_id:
            root.remove(el)
            package.parts[name] = serialise_xml(root)
            return True
    return False


def shift_comments(package: Package, sheet_part: str, rows: RowMap, modified: set[str]) -> None:
    """Delete the notes of deleted rows and move the others up, in the comments part and its VML."""
    for part in package.related(sheet_part, "comments"):
        if part in package.parts:
            package.parts[part] = _shift_comment_part(package.parts[part], rows)
            modified.add(part)
    for part in package.related(sheet_part, "threadedComment"):
        if part in package.parts:
            package.parts[part] = _shift_threaded(package.parts[part], rows)
            modified.add(part)
    for part in package.related(sheet_part, "vmlDrawing"):
        if part in package.parts:
            new = _shift_vml(package.parts[part], rows)
            if new != package.parts[part]:
                package.parts[part] = new
                modified.add(part)


def _shift_comment_part(data: bytes, rows: RowMap) -> bytes:
    root = parse_xml(data)
    for comment in list(root.iter(q("comment"))):
        new = shift_ref(comment.get("ref"), rows)
        if new is None:
            comment.getparent().remove(comment)
        else:
            comment.set("ref", new)
    return serialise_xml(root)


def _shift_threaded(data: bytes, rows: RowMap) -> bytes:
    """Excel 365 comments (threads; each also has a legacy note twin, moved by _shift_comment_part)."""
    root = parse_xml(data)
    for comment in list(root):
        if not isinstance(comment.tag, str) or not comment.get("ref"):
            continue
        new = shift_ref(comment.get("ref"), rows)
        if new is None:
            root.remove(comment)
        else:
            comment.set("ref", new)
    return serialise_xml(root)


def _shift_vml(data: bytes, rows: RowMap) -> bytes:
    def shape(match: re.Match) -> bytes:
        text = match.group()
        if b'ObjectType="Note"' not in text:
            return text
        found = _ROW.search(text)
        if not found:
            return text
        old = int(found.group(2))
        new = rows(old + 1)
        if new is None:
            return b""
        delta = (old + 1) - new
        text = _ROW.sub(lambda m: m.group(1) + str(new - 1).encode() + m.group(3), text, count=1)
        return _ANCHOR.sub(lambda m: m.group(1) + _shift_anchor(m.group(2), delta) + m.group(3), text, count=1)

    return _SHAPE.sub(shape, data)


def _shift_anchor(anchor: bytes, delta: int) -> bytes:
    parts = [p.strip() for p in anchor.split(b",")]
    if len(parts) != 8 or not all(p.lstrip(b"-").isdigit() for p in parts):
        return anchor
    numbers = [int(p) for p in parts]
    numbers[2] = max(0, numbers[2] - delta)
    numbers[6] = max(0, numbers[6] - delta)
    return b", ".join(str(n).encode() for n in numbers)



def shift_tables(package: Package, sheet_part: str, rows: RowMap, modified: set[str]) -> None:
    """Tables (ListObjects) on the sheet: their range and autofilter move with the rows."""
    for part in package.related(sheet_part, "table"):
        if part not in package.parts:
            continue
        root = parse_xml(package.parts[part])
        for el in root.iter(q("table"), q("autoFilter"), q("sortState")):
            ref = el.get("ref")
            if ref:
                first = ref.split(":")[0]
                new = shift_ref(ref, rows)
                # a table keeps at least its header row
                el.set("ref", new if new and ":" in new else f"{first}:{first}")
        package.parts[part] = serialise_xml(root)
        modified.add(part)


def shift_defined_names(package: Package, sheet: str, rows: RowMap, modified: set[str]) -> None:
    """Workbook names that point into the sheet (print areas, the autofilter's, the owner's) move up."""
    root = parse_xml(package.parts[package.workbook_part])
    changed = False
    for el in root.iter(q("definedName")):
        refs = defined_name_refs(el.text or "")
        if not refs or all(s != sheet for s, _ in refs):
            continue
        pieces = []
        for name, ref in refs:
            new = shift_ref(ref, rows) if name == sheet else ref
            quoted = "'" + name.replace("'", "''") + "'"
            pieces.append(f"{quoted}!{new if new else '#REF!'}")
        el.text = ",".join(pieces)
        changed = True
    if changed:
        package.parts[package.workbook_part] = serialise_xml(root)
        modified.add(package.workbook_part)


def shift_drawings(package: Package, sheet_part: str, rows: RowMap, modified: set[str]) -> None:
    """Pictures, shapes and charts anchored below deleted rows move up with their cells (one covering a
    deleted row was refused before: toolkit.xlsx.deletion_guard)."""
    for part in package.related(sheet_part, "drawing"):
        if part not in package.parts:
            continue
        root = parse_xml(package.parts[part])
        changed = False
        for anchor in root:
            for el in anchor_rows(anchor):
                new = rows(int(el.text) + 1)
                if new is not None and new != int(el.text) + 1:
                    el.text = str(new - 1)
                    changed = True
        if changed:
            package.parts[part] = serialise_xml(root)
            modified.add(part)
