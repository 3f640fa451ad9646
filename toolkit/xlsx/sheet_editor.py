"""Editing one worksheet part in place: cells by row and header, row deletion, row appends.

Only ``sheetData`` rows that change are touched; everything else in the part (column widths, freeze
panes, dropdowns, conditional formats, the owner's extension data) is kept as it is, and references
that point below deleted rows are moved with ``toolkit.model.refs``. The shared-string table and the style
sheet are edited through ``SharedStrings`` and ``Styles`` (only when needed).
"""

from __future__ import annotations

from lxml import etree

from toolkit.model.refs import cell_name, ref_rows, split_cell
from toolkit.model.text import key
from toolkit.xlsx import cell_values as cellvalues
from toolkit.xlsx.package import NS_R, Package, parse_xml, q, serialise_xml
from toolkit.xlsx.row_shifts import RowMap, extend_sqref, shift_ref, shift_sqref

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"


def normalise_header(text: object) -> str:
    """The same comparison key the reader uses to match headers."""
    return key(str(text))


class SharedStrings:
    """The workbook's shared-string table, read on demand; unreferenced entries can be blanked."""

    def __init__(self, package: Package):
        self.package = package
        self.part = package.part_of_kind("sharedStrings")
        self._items: list[etree._Element] | None = None
        self._root = None
        self.modified = False

    def _load(self) -> list[etree._Element]:
        if self._items is None:
            if self.part is None:
                self._items = []
            else:
                self._root = parse_xml(self.package.parts[self.part])
                self._items = list(self._root.iter(q("si")))
        return self._items

    def text(self, index: int) -> str:
        items = self._load()
        if not 0 <= index < len(items):
            return ""
        si = items[index]
        return "".join(t.text or "" for t in si.iter(q("t")) if t.getparent().tag != q("rPh"))

    def __len__(self) -> int:
        return len(self._load())

    def blank(self, indexes: set[int]) -> None:
        """Empty the given entries (kept in place, so every other index stays valid)."""
        items = self._load()
        for index in indexes:
            if 0 <= index < len(items):
                si = items[index]
                for child in list(si):
                    si.remove(child)
                etree.SubElement(si, q("t"))
                self.modified = True

    def save(self) -> None:
        if self.modified and self.part:
            self.package.parts[self.part] = serialise_xml(self._root)


class Styles:
    """The style sheet: finds or makes the cell format that shows a date as d.m.yyyy."""

    def __init__(self, package: Package):
        self.package = package
        self.part = package.part_of_kind("styles")
        self._root = None
        self._cache: dict[tuple[int, str], int] = {}
        self.modified = False

    def _load(self):
        if self._root is None:
            if self.part is None:
                raise cellvalues.UnwritableValue("workbook-no-styles")
            self._root = parse_xml(self.package.parts[self.part])
        return self._root

    def _formats(self) -> dict[int, str]:
        root = self._load()
        return {int(el.get("numFmtId")): el.get("formatCode", "") for el in root.iter(q("numFmt"))}

    def is_date(self, style: int) -> bool:
        root = self._load()
        xfs = root.find(q("cellXfs"))
        if xfs is None or style >= len(xfs):
            return False
        fmt_id = int(xfs[style].get("numFmtId", "0"))
        return cellvalues.is_date_format(fmt_id, self._formats().get(fmt_id))

    def with_format(self, style: int, code: str) -> int:
        """The index of a cell format like ``style`` but showing numbers with ``code``."""
        key = (style, code)
        if key in self._cache:
            return self._cache[key]
        root = self._load()
        fmt_id = 0 if code == "General" else next((i for i, c in self._formats().items() if c == code), None)
        if fmt_id is None:
            num_fmts = root.find(q("numFmts"))
            if num_fmts is None:
                num_fmts = etree.Element(q("numFmts"))
                root.insert(0, num_fmts)
            fmt_id = max([163, *self._formats()]) + 1
            etree.SubElement(num_fmts, q("numFmt"), numFmtId=str(fmt_id), formatCode=code)
            num_fmts.set("count", str(len(num_fmts)))
        xfs = root.find(q("cellXfs"))
        base = xfs[style] if style < len(xfs) else xfs[0]
        clone = etree.fromstring(etree.tostring(base))
        clone.set("numFmtId", str(fmt_id))
        clone.set("applyNumberFormat", "1")
        xfs.append(clone)
        xfs.set("count", str(len(xfs)))
        self.modified = True
        self._cache[key] = len(xfs) - 1
        return self._cache[key]

    def save(self) -> None:
        if self.modified:
            self.package.parts[self.part] = serialise_xml(self._root)


def cell_text(cell: etree._Element, strings: SharedStrings) -> str | None:
    """The displayed text of a text cell (shared, inline or formula string); None for other cells."""
    kind = cell.get("t")
    if kind == "s":
        v = cell.find(q("v"))
        return strings.text(int(v.text)) if v is not None and v.text else None
    if kind == "inlineStr":
        inline = cell.find(q("is"))
        return "".join(t.text or "" for t in inline.iter(q("t"))) if inline is not None else None
    if kind == "str":
        v = cell.find(q("v"))
        return v.text if v is not None else None
    return None


def has_value(cell: etree._Element) -> bool:
    v = cell.find(q("v"))
    if v is not None and v.text not in (None, ""):
        return True
    inline = cell.find(q("is"))
    return inline is not None and any(t.text for t in inline.iter(q("t")))


class SheetEditor:
    """One worksheet part opened for editing. Rows are Excel row numbers, columns 1-based."""

    def __init__(self, package: Package, name: str, strings: SharedStrings, styles: Styles, date1904: bool):
        self.package, self.name, self.part = package, name, package.sheets[name]
        self.strings, self.styles, self.date1904 = strings, styles, date1904
        self.root = parse_xml(package.parts[self.part])
        self.data = self.root.find(q("sheetData"))
        if self.data is None:
            self.data = etree.SubElement(self.root, q("sheetData"))
        self.rows: dict[int, etree._Element] = {}
        self._cells: dict[int, dict[int, etree._Element]] = {}
        self._index_rows()
        self.dropped_shared: set[int] = set()   # shared-string indexes whose cells were overwritten or deleted
        self.dropped_rels: set[str] = set()     # relationship ids of hyperlinks that went with their rows
        self.dropped_formula = False            # a formula was overwritten (the calculation chain must go)
        self.header_row = 1
        self.headers: dict[str, int] = {}
        self._widest, self._narrowest = 0, 16384   # columns of the cells this editor made (the used range)

    def outside_data(self, *tags: str):
        """Elements with these tags anywhere in the sheet except sheetData (fast on big sheets)."""
        for child in self.root:
            if child is not self.data:
                yield from child.iter(*tags)

    # -- reading --------------------------------------------------------------------------------
    def _index_rows(self) -> None:
        number = 0
        for row in self.data.iterchildren(q("row")):
            given = row.get("r")
            if given:
                number = int(given)
            else:
                number += 1
                row.set("r", str(number))
            self.rows[number] = row

    def cells(self, row_number: int) -> dict[int, etree._Element]:
        """Column -> cell element of one row (cells without ``r`` get one)."""
        if row_number not in self._cells:
            found: dict[int, etree._Element] = {}
            row = self.rows.get(row_number)
            column = 0
            if row is not None:
                for cell in row.iterchildren(q("c")):
                    column = split_cell(cell.get("r"))[1] if cell.get("r") else column + 1
                    cell.set("r", cell_name(row_number, column))
                    found[column] = cell
            self._cells[row_number] = found
        return self._cells[row_number]

    def find_header(self, expected: tuple[str, ...] = ()) -> None:
        """The header row: of rows 1-10, the one holding most ``expected`` headers (row 1 if none)."""
        wanted = {normalise_header(h) for h in expected}
        best, best_score = 1, -1
        for number in range(1, 11):
            texts = {normalise_header(t) for c in self.cells(number).values() if (t := cell_text(c, self.strings))}
            score = len(texts & wanted) if wanted else (1 if texts else 0)
            if score > best_score or (number == 1 and score == best_score):
                best, best_score = number, score
            if wanted and score == len(wanted):
                break
        if best_score <= 0:
            best = 1
        self.header_row = best
        self.headers = {}
        for column, cell in sorted(self.cells(best).items()):
            text = cell_text(cell, self.strings)
            if text and normalise_header(text) not in self.headers:
                self.headers[normalise_header(text)] = column

    def column_of(self, header: str) -> int | None:
        return self.headers.get(normalise_header(header))

    def last_data_row(self) -> int:
        for number in sorted(self.rows, reverse=True):
            if any(has_value(c) for c in self.cells(number).values()):
                return number
        return self.header_row

    # -- writing cells --------------------------------------------------------------------------
    def _row_element(self, number: int) -> etree._Element:
        row = self.rows.get(number)
        if row is None:
            row = etree.Element(q("row"), r=str(number))
            later = [n for n in self.rows if n > number]
            if later:
                self.rows[min(later)].addprevious(row)
            else:
                self.data.append(row)
            self.rows[number] = row
            self._cells.pop(number, None)
        return row

    def _cell_element(self, number: int, column: int) -> etree._Element:
        cells = self.cells(number)
        if column in cells:
            return cells[column]
        row = self._row_element(number)
        row.attrib.pop("spans", None)   # an optional hint that a new cell could contradict
        cell = etree.Element(q("c"), r=cell_name(number, column))
        self._widest, self._narrowest = max(self._widest, column), min(self._narrowest, column)
        style = self._default_style(row, column)
        if style:
            cell.set("s", str(style))
        later = [c for c in cells if c > column]
        if later:
            cells[min(later)].addprevious(cell)
        else:
            row.append(cell)
        cells[column] = cell
        return cell

    def _default_style(self, row: etree._Element, column: int) -> int:
        if row.get("customFormat") in ("1", "true") and row.get("s"):
            return int(row.get("s"))
        cols = self.root.find(q("cols"))
        if cols is not None:
            for col in cols.iterchildren(q("col")):
                if int(col.get("min")) <= column <= int(col.get("max")) and col.get("style"):
                    return int(col.get("style"))
        return 0

    def current(self, number: int, column: int) -> etree._Element | None:
        return self.cells(number).get(column)

    def set_value(self, number: int, column: int, value: object, style: int | None = None) -> None:
        """Write ``value`` (see ``toolkit.xlsx.cell_values``) into the cell; its formatting is kept."""
        kind, value = cellvalues.classify(value)
        cell = self._cell_element(number, column)
        if style is not None:
            cell.set("s", str(style)) if style else cell.attrib.pop("s", None)
        self._forget(cell)
        current_style = int(cell.get("s", "0"))
        if kind == "none":
            return
        if kind == "text":
            cell.set("t", "inlineStr")
            inline = etree.SubElement(cell, q("is"))
            t = etree.SubElement(inline, q("t"))
            t.text = cellvalues.encode_text(value)
            if t.text != t.text.strip() or "\n" in t.text:
                t.set(_XML_SPACE, "preserve")
            return
        v = etree.SubElement(cell, q("v"))
        if kind == "bool":
            cell.set("t", "b")
            v.text = "1" if value else "0"
        elif kind == "number":
            v.text = cellvalues.xml_number(value)
            if current_style and self.styles.is_date(current_style):   # a number must not show as a date
                cell.set("s", str(self.styles.with_format(current_style, "General")))
        else:
            v.text = cellvalues.xml_number(cellvalues.date_serial(value, self.date1904))
            if not self.styles.is_date(current_style):
                code = cellvalues.DATE_FORMAT if kind == "date" else cellvalues.DATETIME_FORMAT
                cell.set("s", str(self.styles.with_format(current_style, code)))

    def _forget(self, cell: etree._Element) -> None:
        """Remove the cell's value, type and formula (its style stays)."""
        if cell.get("t") == "s":
            v = cell.find(q("v"))
            if v is not None and v.text and v.text.strip().isdigit():
                self.dropped_shared.add(int(v.text))
        if cell.find(q("f")) is not None:
            self.dropped_formula = True
        cell.attrib.pop("t", None)
        cell.attrib.pop("cm", None)
        cell.attrib.pop("vm", None)
        for child in list(cell):
            cell.remove(child)

    # -- appending ------------------------------------------------------------------------------
    def append_row(self, values: dict[int, object]) -> int:
        """A new row after the last non-empty one, styled like the row above it. Returns its number."""
        above = self.last_data_row()
        number = above + 1
        template = self.rows.get(above) if above > self.header_row else None
        row = self._row_element(number)
        template_cells = self.cells(above) if template is not None else {}
        if template is not None:
            for attr in ("ht", "customHeight", "s", "customFormat"):
                if template.get(attr) is not None:
                    row.set(attr, template.get(attr))
        for column, source in sorted(template_cells.items()):
            if source.get("s") and column not in values:
                self._cell_element(number, column).set("s", source.get("s"))
        for column, value in sorted(values.items()):
            style = template_cells[column].get("s") if column in template_cells else None
            self._cell_element(number, column)
            self.set_value(number, column, value, style=int(style) if style else None)
        self._grow_ranges(above, number)
        return number

    def _grow_ranges(self, above: int, number: int) -> None:
        """Dropdowns, conditional formats and the autofilter that end on the row above grow by one."""
        if above <= self.header_row:
            return
        for el in self.outside_data(q("dataValidation"), q("conditionalFormatting")):
            if el.get("sqref"):
                el.set("sqref", extend_sqref(el.get("sqref"), above, number))
        for el in self.outside_data(f"{{{NS_XM}}}sqref"):
            if el.text:
                el.text = extend_sqref(el.text, above, number)
        auto = self.root.find(q("autoFilter"))
        if auto is not None and auto.get("ref"):
            auto.set("ref", extend_sqref(auto.get("ref"), above, number))

    # -- deleting -------------------------------------------------------------------------------
    def delete_rows(self, numbers: list[int]) -> RowMap:
        """Delete whole rows and move every reference below them up (see toolkit.model.refs)."""
        rows = RowMap(numbers)
        for number in rows.deleted:
            for cell in self.cells(number).values():
                self._forget(cell)
            element = self.rows.pop(number, None)
            if element is not None:
                self.data.remove(element)
        moved = {}
        digits = "0123456789"
        cell_tag = q("c")
        for number, element in sorted(self.rows.items()):
            new = rows(number)
            if new != number:
                text = str(new)
                element.set("r", text)
                for cell in element.iterchildren(cell_tag):
                    ref = cell.get("r")
                    if ref is None:   # a writer that leaves positions implicit: name every cell of the row
                        self.cells(number)
                        ref = cell.get("r")
                    cell.set("r", ref.rstrip(digits) + text)
            moved[new] = element
        self.rows = moved
        self._cells = {}
        self._shift_references(rows)
        return rows

    def _shift_references(self, rows: RowMap) -> None:
        root = self.root
        merge = root.find(q("mergeCells"))
        if merge is not None:
            for el in list(merge):
                new = shift_ref(el.get("ref"), rows)
                if new is None or ":" not in new or _single_cell(new):
                    merge.remove(el)
                else:
                    el.set("ref", new)
            if len(merge) == 0:
                root.remove(merge)
            else:
                merge.set("count", str(len(merge)))
        for container, child in (("dataValidations", "dataValidation"), ("conditionalFormatting", None)):
            for el in list(self.outside_data(q(child or container))):
                _shift_attr(el, "sqref", rows)
            for holder in list(self.outside_data(q(container))):
                if child and holder.get("count") is not None:
                    holder.set("count", str(len(holder)))
                if child and len(holder) == 0:
                    holder.getparent().remove(holder)
        for el in list(self.outside_data(f"{{{NS_XM}}}sqref")):
            new = shift_sqref(el.text or "", rows)
            owner = el.getparent()
            if new is None:
                owner.getparent().remove(owner)
            else:
                el.text = new
        for tag in ("protectedRange", "ignoredError", "selection"):
            for el in list(self.outside_data(q(tag))):
                _shift_attr(el, "sqref", rows)
        for el in self.outside_data(q("selection")):
            if el.get("activeCell") and shift_ref(el.get("activeCell"), rows) is None:
                el.set("activeCell", el.get("sqref", "A1").split()[0].split(":")[0] if el.get("sqref") else "A1")
            elif el.get("activeCell"):
                el.set("activeCell", shift_ref(el.get("activeCell"), rows))
        for el in self.outside_data(q("autoFilter"), q("sortState"), q("sortCondition")):
            if el.get("ref"):
                el.set("ref", shift_ref(el.get("ref"), rows) or el.get("ref").split(":")[0])
        breaks = root.find(q("rowBreaks"))
        if breaks is not None:
            for brk in list(breaks):
                new = rows(int(brk.get("id", "0")))
                if new is None:
                    breaks.remove(brk)
                else:
                    brk.set("id", str(new))
        self._shift_hyperlinks(rows)

    def _shift_hyperlinks(self, rows: RowMap) -> None:
        links = self.root.find(q("hyperlinks"))
        if links is None:
            return
        for el in list(links):
            new = shift_ref(el.get("ref"), rows)
            if new is None:
                links.remove(el)
                if el.get(q("id", NS_R)):
                    self.dropped_rels.add(el.get(q("id", NS_R)))
            else:
                el.set("ref", new)
        if len(links) == 0:
            self.root.remove(links)

    def _update_dimension(self) -> None:
        """The used range (``<dimension>``) spans every row and every column a cell was written in: readers
        that trust it (and some do) see appended rows. Columns only grow (a wider range is harmless)."""
        dimension = self.root.find(q("dimension"))
        if dimension is None:
            return
        if not self.rows:
            dimension.set("ref", "A1")
            return
        start, _, end = dimension.get("ref", "A1").partition(":")
        try:
            first_col = split_cell(start)[1]
            last_col = split_cell(end or start)[1]
        except ValueError:
            first_col, last_col = 1, 1
        first_col, last_col = min(first_col, self._narrowest), max(last_col, self._widest)
        top_left, bottom_right = cell_name(min(self.rows), first_col), cell_name(max(self.rows), last_col)
        dimension.set("ref", top_left if top_left == bottom_right else f"{top_left}:{bottom_right}")

    def save(self) -> None:
        self._update_dimension()
        self.package.parts[self.part] = serialise_xml(self.root)


def _single_cell(ref: str) -> bool:
    first, _, last = ref.partition(":")
    return first == last


def _shift_attr(el: etree._Element, attr: str, rows: RowMap) -> None:
    value = el.get(attr)
    if not value:
        return
    new = shift_sqref(value, rows)
    if new is None:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    else:
        el.set(attr, new)


def first_row_of(ref: str) -> int | None:
    return ref_rows(ref)[0]
