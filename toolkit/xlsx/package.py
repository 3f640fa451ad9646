"""The workbook as a package: its zip parts, relationships and sheets, read without openpyxl.

The writer edits only the parts a change needs (the changed sheets, and when needed the shared strings,
the styles, the comments and the hyperlink relationships of those sheets) and copies every other part
byte for byte, so shapes, pictures, macros, custom XML, slicers and the rest survive because they are
never parsed and re-serialised. ``features`` lists what the package holds, so that an operation that
cannot keep a feature correct (deleting rows under a chart, say) is refused naming it and its sheet.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from toolkit.model.errors import FileProblem, NotAWorkbook, os_reason

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"

MAX_IN_MEMORY = 1 << 30        # 1 GiB: a register is a few MB; more is a zip bomb
MAX_PART_RATIO = 200                   # uncompressed / compressed per part

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def parse_xml(data: bytes) -> etree._Element:
    """Parse a package part safely (no entities, no network)."""
    return etree.fromstring(data, _PARSER)


def serialise_xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def q(tag: str, ns: str = NS_MAIN) -> str:
    return f"{{{ns}}}{tag}"


def _relationships(data: bytes | None) -> list[Relationship]:
    if data is None:
        return []
    return [Relationship(el.get("Id"), el.get("Type", ""), el.get("Target", ""), el.get("TargetMode") == "External")
            for el in parse_xml(data).iter(q("Relationship", NS_PKG_REL))]


def find_workbook_part(read: Callable[[str], bytes | None], present: Callable[[str], bool] | None = None) -> str:
    """The workbook part's path, from the package's root relationships (``read(part)`` gives a part's bytes,
    None when there is no such part; ``present(part)`` tells whether a part exists without reading it)."""
    present = present or (lambda part: read(part) is not None)
    for rel in _relationships(read("_rels/.rels")):
        if rel.type == REL_OFFICE_DOCUMENT or rel.kind == "officeDocument":
            part = resolve("", rel.target)
            if present(part):
                return part
    raise NotAWorkbook("workbook-part-missing")


def find_sheet_parts(read: Callable[[str], bytes | None], workbook_part: str | None = None,
                     present: Callable[[str], bool] | None = None) -> dict[str, str]:
    """Sheet name -> part path, in workbook order: the one lookup the reader and the writer share."""
    present = present or (lambda part: read(part) is not None)
    workbook_part = workbook_part or find_workbook_part(read, present)
    root = parse_xml(read(workbook_part))
    if root.tag.startswith(f"{{{NS_STRICT}"):
        raise NotAWorkbook("workbook-strict")
    targets = {rel.id: resolve(workbook_part, rel.target) for rel in _relationships(read(rels_path(workbook_part)))}
    sheets = {}
    for sheet in root.iter(q("sheet")):
        target = targets.get(sheet.get(q("id", NS_R)))
        if target is not None and present(target):
            sheets[sheet.get("name")] = target
    return sheets


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str
    external: bool

    @property
    def kind(self) -> str:
        """The last word of the type URI: worksheet, drawing, comments, hyperlink, table, ..."""
        return self.type.rsplit("/", 1)[-1]


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(part: str, target: str) -> str:
    """A relationship target relative to ``part``'s folder as a package path (no leading slash)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


class Package:
    """The parts of an .xlsx in their zip order; ``parts`` maps name -> bytes (edit it, then ``to_bytes``)."""

    def __init__(self, parts: dict[str, bytes], infos: dict[str, zipfile.ZipInfo]):
        self.parts = parts
        self.infos = infos
        self.workbook_part = self._find_workbook()
        self.sheets = self._find_sheets()          # sheet name -> part path, in workbook order

    @classmethod
    def read(cls, path) -> Package:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise FileProblem("file-missing", path=path) from None
        except OSError as error:
            raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
        return cls.from_bytes(data, name=str(path))

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "rekisteri") -> Package:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise NotAWorkbook("workbook-not-zip", name=name) from None
        total = 0
        for info in infos:
            total += info.file_size
            if total > MAX_IN_MEMORY or (info.compress_size and info.file_size / info.compress_size > MAX_PART_RATIO
                                            and info.file_size > 10 << 20):
                raise NotAWorkbook("workbook-zip-bomb", name=name)
        try:
            parts = {info.filename: archive.read(info) for info in infos}
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise NotAWorkbook("workbook-part-unreadable", name=name) from None
        if "[Content_Types].xml" not in parts:
            raise NotAWorkbook("workbook-not-xlsx", name=name)
        return cls(parts, {info.filename: info for info in infos})

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts.items():
                old = self.infos.get(name)
                info = zipfile.ZipInfo(name, date_time=old.date_time if old else (1980, 1, 1, 0, 0, 0))
                info.compress_type = old.compress_type if old else zipfile.ZIP_DEFLATED
                info.external_attr = old.external_attr if old else 0o600 << 16
                archive.writestr(info, data, compresslevel=6 if info.compress_type == zipfile.ZIP_DEFLATED else None)
        return buffer.getvalue()

    # -- relationships -------------------------------------------------------------------------
    def rels(self, part: str) -> list[Relationship]:
        return _relationships(self.parts.get(rels_path(part) if part else "_rels/.rels"))

    def related(self, part: str, kind: str) -> list[str]:
        """Package paths of ``part``'s internal relationships of ``kind`` (e.g. "drawing")."""
        return [resolve(part, rel.target) for rel in self.rels(part) if rel.kind == kind and not rel.external]

    def _find_workbook(self) -> str:
        return find_workbook_part(self.parts.get)

    def _find_sheets(self) -> dict[str, str]:
        return find_sheet_parts(self.parts.get, self.workbook_part)

    def date1904(self) -> bool:
        root = parse_xml(self.parts[self.workbook_part])
        pr = root.find(q("workbookPr"))
        return pr is not None and pr.get("date1904") in ("1", "true")

    def part_of_kind(self, kind: str) -> str | None:
        """The workbook's related part of ``kind`` (sharedStrings, styles), or None."""
        found = self.related(self.workbook_part, kind)
        return found[0] if found and found[0] in self.parts else None


_SHEET_NAME_IN_FORMULA = "(?:'{quoted}'|{plain})!"


def formula_mentions_sheet(formula: str, sheet: str) -> bool:
    pattern = _SHEET_NAME_IN_FORMULA.format(quoted=re.escape(sheet.replace("'", "''")), plain=re.escape(sheet))
    return re.search(rf"(?<![\w.]){pattern}", formula) is not None


REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def add_sheet(package: Package, name: str, headers: tuple[str, ...]) -> str:
    """Add a worksheet ``name`` with ``headers`` in row 1 (as text) at the end; returns its part path."""
    from toolkit.model.refs import cell_name

    folder = posixpath.dirname(package.workbook_part)
    number = 1
    while f"{folder}/worksheets/sheet{number}.xml" in package.parts:
        number += 1
    part = f"{folder}/worksheets/sheet{number}.xml"
    sheet = etree.Element(q("worksheet"), nsmap={None: NS_MAIN, "r": NS_R})
    etree.SubElement(sheet, q("dimension"), ref=f"A1:{cell_name(1, max(len(headers), 1))}")
    data = etree.SubElement(sheet, q("sheetData"))
    row = etree.SubElement(data, q("row"), r="1")
    for column, header in enumerate(headers, start=1):
        cell = etree.SubElement(row, q("c"), r=cell_name(1, column), t="inlineStr")
        etree.SubElement(etree.SubElement(cell, q("is")), q("t")).text = header
    package.parts[part] = serialise_xml(sheet)

    rels_name = rels_path(package.workbook_part)
    rels = parse_xml(package.parts[rels_name])
    ids = {el.get("Id") for el in rels}
    rel_id = next(f"rId{i}" for i in range(1, len(ids) + 2) if f"rId{i}" not in ids)
    etree.SubElement(rels, q("Relationship", NS_PKG_REL), Id=rel_id, Type=REL_WORKSHEET,
                     Target=f"worksheets/sheet{number}.xml")
    package.parts[rels_name] = serialise_xml(rels)

    book = parse_xml(package.parts[package.workbook_part])
    sheets = book.find(q("sheets"))
    sheet_id = max([int(s.get("sheetId", "0")) for s in sheets] + [0]) + 1
    etree.SubElement(sheets, q("sheet"), {"name": name, "sheetId": str(sheet_id), q("id", NS_R): rel_id})
    package.parts[package.workbook_part] = serialise_xml(book)

    types = parse_xml(package.parts["[Content_Types].xml"])
    etree.SubElement(types, q("Override", NS_CT), PartName=f"/{part}", ContentType=CT_WORKSHEET)
    package.parts["[Content_Types].xml"] = serialise_xml(types)
    package.sheets[name] = part
    return part


def remove_part(package: Package, part: str) -> bool:
    """Remove a workbook-level part (e.g. calcChain.xml) with its relationship and content type."""
    if part not in package.parts:
        return False
    del package.parts[part]
    rels_name = rels_path(package.workbook_part)
    rels = parse_xml(package.parts[rels_name])
    for el in list(rels):
        if resolve(package.workbook_part, el.get("Target", "")) == part:
            rels.remove(el)
    package.parts[rels_name] = serialise_xml(rels)
    types = parse_xml(package.parts["[Content_Types].xml"])
    for el in list(types):
        if el.get("PartName", "").lstrip("/") == part:
            types.remove(el)
    package.parts["[Content_Types].xml"] = serialise_xml(types)
    return True
