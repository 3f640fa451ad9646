"""What a workbook package holds beyond cell values, and which changes cannot keep it correct.

The writer copies every part it does not edit byte for byte, so updating cells and appending rows keep
every feature. Deleting rows is different: whatever points at rows (a chart's data range, a pivot
table's source, a picture or shape over a deleted row, a formula, sparklines, slicers) would point at
the wrong rows afterwards. Those cases are refused before anything is written, naming the
feature and the sheet in Finnish (``WouldLoseContent``, exit 3). Notes, hyperlinks, dropdowns,
conditional formats, merged ranges, tables, the autofilter, threaded comments and defined names are moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from toolkit.model.errors import WouldLoseContent
from toolkit.model.messages import Phrase, say
from toolkit.xlsx.package import Package, formula_mentions_sheet, parse_xml, q, rels_path
from toolkit.xlsx.row_shifts import anchor_rows, defined_name_refs

# a feature is said as the catalogue's feature-CODE ("charts" -> "kaaviot")
_FORMULA = re.compile(rb"<(?:x:)?f[\s>/]")   # a cell formula (not xm:f of extension lists)


@dataclass(frozen=True)
class Feature:
    code: str
    sheet: str | None

    def describe(self, lang: str = "fi") -> str:
        if self.sheet is None:
            return say(f"feature-{self.code}", lang)
        return say("feature-on-sheet", lang, feature=Phrase(f"feature-{self.code}"), sheet=self.sheet)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _drawing_kinds(element) -> set[str]:
    """Kinds of objects in a drawing part or one of its anchors (by local name, whatever the prefixes)."""
    if isinstance(element, bytes):
        element = parse_xml(element)
    kinds = set()
    for el in element.iter():
        name = _local(el)
        if name in ("sp", "cxnSp"):
            kinds.add("shapes")
        elif name == "pic":
            kinds.add("pictures")
        elif name == "graphicData" and (el.get("uri") or "").endswith("/chart"):
            kinds.add("charts")
    return kinds or {"shapes"}


def sheet_features(package: Package, sheet: str, root=None) -> set[str]:
    """Codes of the features on one sheet (``root``: the sheet's parsed XML, if already at hand)."""
    part = package.sheets[sheet]
    if root is None:
        root = parse_xml(package.parts[part])
    found = set()
    for rel in package.rels(part):
        kind = rel.kind
        target = None if rel.external else package.parts.get(_resolve(part, rel.target))
        if kind == "drawing" and target is not None:
            found |= _drawing_kinds(target)
        elif kind == "vmlDrawing" and target is not None:
            if b'ObjectType="Note"' in target:
                found.add("comments")
            if re.search(rb'ObjectType="(?!Note")', target):
                found.add("form-controls")
        elif kind in _RELATED:
            found.add(_RELATED[kind])
    for el in root:
        name = _local(el)
        if name == "legacyDrawingHF":
            found.add("header-footer-pictures")
        elif name == "picture":
            found.add("background")
        elif name == "extLst":
            for inner in el.iter():
                found |= _EXTENSIONS.get(_local(inner), set())
    if root.find(f".//{q('f')}") is not None:
        found.add("formulas")
    return found


# a sheet's relationship kind -> the feature it brings (drawings are looked into above)
_RELATED = {"comments": "comments", "threadedComment": "threaded-comments", "pivotTable": "pivot-tables",
            "table": "tables", "ctrlProp": "form-controls", "control": "form-controls",
            "activeXControlBinary": "form-controls", "slicer": "slicers", "timeline": "timelines", "image": "background"}
_EXTENSIONS = {"dataValidations": {"extension-validations"}, "conditionalFormattings": {"extension-formats"},
               "sparklineGroups": {"sparklines"}, "slicerList": {"slicers"}, "timelineRefs": {"timelines"}}


def _resolve(part: str, target: str) -> str:
    from toolkit.xlsx.package import resolve

    return resolve(part, target)


def workbook_features(package: Package) -> list[Feature]:
    """Every feature of the package: per sheet, and the workbook-wide ones (sheet None)."""
    found = [Feature(code, sheet) for sheet in package.sheets for code in sorted(sheet_features(package, sheet))]
    names = list(package.parts)
    if any(n.endswith("vbaProject.bin") for n in names):
        found.append(Feature("macros", None))
    if any(n.startswith("customXml/") for n in names):
        found.append(Feature("custom-xml", None))
    if any("/externalLinks/" in f"/{n}" for n in names):
        found.append(Feature("external-links", None))
    return found


def _refuse(feature: Feature, sheet: str) -> WouldLoseContent:
    """Deleting rows on ``sheet`` would break ``feature`` (on that sheet, or on another that points at it)."""
    said = Phrase(f"feature-{feature.code}") if feature.sheet == sheet else \
        Phrase("feature-on-sheet", feature=Phrase(f"feature-{feature.code}"), sheet=feature.sheet)
    return WouldLoseContent("row-deletion-would-break", sheet=sheet, feature=said)


def refuse_row_deletion(package: Package, sheet: str, rows, editor=None) -> None:
    """WouldLoseContent when deleting ``rows`` (Excel row numbers) on ``sheet`` cannot keep a feature."""
    rows = sorted(set(rows))
    first_row = rows[0]
    part = package.sheets[sheet]
    root = editor.root if editor is not None else parse_xml(package.parts[part])
    here = sheet_features(package, sheet, root)
    for code in ("sparklines", "slicers", "timelines", "pivot-tables", "form-controls"):
        if code in here:
            raise _refuse(Feature(code, sheet), sheet)
    for drawing in package.related(part, "drawing"):
        code = _anchored_on(package.parts.get(drawing, b""), set(rows))
        if code:
            raise _refuse(Feature(code, sheet), sheet)
    if "formulas" in here and _formula_at_or_below(root, first_row):
        raise _refuse(Feature("formulas", sheet), sheet)
    if _rule_formula_at_or_below(root, sheet, first_row):
        raise _refuse(Feature("rule-formulas", sheet), sheet)
    for el in parse_xml(package.parts[package.workbook_part]).iter(q("definedName")):
        text = el.text or ""
        if formula_mentions_sheet(text, sheet) and defined_name_refs(text) is None:
            raise _refuse(Feature("defined-names", sheet), sheet)
    for other, other_part in package.sheets.items():
        if other != sheet and _mentions(package.parts[other_part], sheet):
            raise _refuse(Feature("formulas", other), sheet)
        rels = package.parts.get(rels_path(other_part), b"")
        if _links_into(package.parts[other_part] + rels, sheet, first_row, same=other == sheet):
            raise _refuse(Feature("internal-links", other), sheet)
    for name, data in package.parts.items():
        if name.startswith("xl/charts/") and name.endswith(".xml"):
            formulas = [el.text or "" for el in parse_xml(data).iter() if _local(el) == "f"]
            if any(formula_mentions_sheet(f, sheet) for f in formulas):
                raise _refuse(Feature("charts", sheet), sheet)
        if name.startswith("xl/pivotCache/pivotCacheDefinition") and name.endswith(".xml"):
            source = parse_xml(data).find(f".//{q('worksheetSource')}")
            if source is not None and source.get("sheet") == sheet:
                raise _refuse(Feature("pivot-tables", sheet), sheet)


def _anchored_on(data: bytes, rows: set[int]) -> str | None:
    """The kind of the first drawing object that covers a deleted row (1-based ``rows``), or None.
    Objects above or below deleted rows are moved with them (toolkit.xlsx.attached_parts.shift_drawings)."""
    if not data:
        return None
    for anchor in parse_xml(data):
        corners = [int(el.text) + 1 for el in anchor_rows(anchor)]
        if corners and any(min(corners) <= row <= max(corners) for row in rows):
            kinds = _drawing_kinds(anchor)
            return "charts" if "charts" in kinds else "pictures" if "pictures" in kinds else "shapes"
    return None


def _formula_at_or_below(root, first_row: int) -> bool:
    data = root.find(q("sheetData"))
    for row in data.iterchildren(q("row")) if data is not None else ():
        if int(row.get("r", "0")) >= first_row and row.find(f".//{q('f')}") is not None:
            return True
    return False


def _mentions(data: bytes, sheet: str) -> bool:
    if not _FORMULA.search(data):
        return False
    for formula in re.findall(rb"<(?:x:)?f\b[^>]*>([^<]*)</(?:x:)?f>", data):
        text = formula.decode("utf-8", "replace").replace("&apos;", "'").replace("&amp;", "&")
        if formula_mentions_sheet(text, sheet):
            return True
    return False


_REFERENCE = re.compile(r"(?:(?P<sheet>'(?:[^']|'')+'|[^\s'!:(),=+\-*/&<>^]+)!)?"
                        r"(?P<first>\$?[A-Z]{1,3}\$?\d+)(?::(?P<last>\$?[A-Z]{1,3}\$?\d+))?")
_ABSOLUTE_ROW = re.compile(r"\$(\d+)$")
_RULE_FORMULAS = ("formula1", "formula2", "formula", "f")


def _rule_formula_at_or_below(root, sheet: str, first_row: int) -> bool:
    """A dropdown or conditional-format formula with an absolute row (``$P$12``) on this sheet at or below
    ``first_row``: it would not move with the rows (relative references move with the rule's range)."""
    for child in root:
        if _local(child) not in ("dataValidations", "conditionalFormatting", "extLst"):
            continue
        for el in child.iter():
            if _local(el) not in _RULE_FORMULAS or not el.text:
                continue
            for match in _REFERENCE.finditer(el.text):
                named = match["sheet"]
                if named:
                    named = named[1:-1].replace("''", "'") if named.startswith("'") else named
                if named and named != sheet:
                    continue
                for end in (match["first"], match["last"]):
                    fixed = _ABSOLUTE_ROW.search(end or "")
                    if fixed and int(fixed.group(1)) >= first_row:
                        return True
    return False


_LOCATION = re.compile(rb'<(?:x:)?hyperlink\b[^>]*?\blocation="([^"]*)"|\bTarget="#([^"]*)"')


def _links_into(data: bytes, sheet: str, first_row: int, same: bool) -> bool:
    """A hyperlink whose target is a cell of ``sheet`` at or below ``first_row`` (it would not move)."""
    if b"location=" not in data and b'Target="#' not in data:
        return False
    for pair in _LOCATION.findall(data):
        raw = pair[0] or pair[1]
        text = raw.decode("utf-8", "replace").replace("&apos;", "'").replace("&amp;", "&").lstrip("#")
        for match in _REFERENCE.finditer(text):
            named = match["sheet"]
            if named:
                named = named[1:-1].replace("''", "'") if named.startswith("'") else named
            if (named == sheet or (not named and same)) and any(
                    int(re.sub(r"^\$?[A-Z]+\$?", "", end)) >= first_row for end in (match["first"], match["last"]) if end):
                return True
    return False
