"""Applying a ``RegisterChange`` to a ``Package`` in memory (the write itself is ``toolkit.xlsx.safe_write``).

Order per sheet: cell updates (rows as read), then row deletions (rows as read), then appends after
the last non-empty row. Then the Loki rows, the erasure scrub, and the shared strings that no cell
uses any more are blanked (a deleted person's name must not linger in the string table).
The result says which parts changed and what every changed cell must read back as.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.model.errors import MuskariError
from toolkit.model.messages import say
from toolkit.xlsx import attached_parts as attached
from toolkit.xlsx import deletion_guard as features
from toolkit.xlsx import scrub as scrubbing
from toolkit.xlsx.package import Package, rels_path, remove_part
from toolkit.xlsx.row_shifts import RowMap
from toolkit.xlsx.sheet_editor import SharedStrings, SheetEditor, Styles

LOG_SHEET = "Loki"
LOG_HEADERS = ("Aika", "Toiminto", "Tiedot")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_SHARED_REF = re.compile(rb"""<(?:\w+:)?c\b[^>]*?\bt=["']s["'][^>]*>\s*<(?:\w+:)?v>\s*(\d+)\s*</""")


class ChangeNotPossible(MuskariError):
    """The change names a sheet, column or row the register does not have."""


@dataclass
class SheetPlan:
    """What one sheet must look like after the write, for verification."""

    deleted: RowMap = field(default_factory=lambda: RowMap([]))
    updates: dict[tuple[int, int], object] = field(default_factory=dict)   # (row as read, column) -> value
    appended: dict[int, dict[int, object]] = field(default_factory=dict)   # new row -> column -> value


@dataclass
class Applied:
    modified: set[str]                       # package parts that were rewritten (or removed: calcChain.xml)
    sheets: dict[str, SheetPlan]             # sheet name -> expectations
    cells_changed: int = 0
    rows_deleted: int = 0
    rows_appended: int = 0


def _expected_headers(sheet: str, wanted: set[str]) -> tuple[str, ...]:
    from workbook_schema import SHEETS

    spec = SHEETS.get(sheet)
    return tuple(spec.headers) if spec else tuple(sorted(wanted))


def _missing_sheet(sheet: str) -> ChangeNotPossible:
    return ChangeNotPossible("change-sheet-missing", sheet=sheet)


def _missing_column(sheet: str, header: str) -> ChangeNotPossible:
    return ChangeNotPossible("change-column-missing", sheet=sheet, column=header)


class _Session:
    def __init__(self, package: Package):
        self.package = package
        self.strings = SharedStrings(package)
        self.styles = Styles(package)
        self.date1904 = package.date1904()
        self.editors: dict[str, SheetEditor] = {}
        self.plans: dict[str, SheetPlan] = {}
        self.modified: set[str] = set()
        self.strings_to_blank: set[int] = set()    # shared strings holding scrubbed text

    def editor(self, sheet: str, wanted: set[str] = frozenset()) -> SheetEditor:
        if sheet not in self.editors:
            if sheet not in self.package.sheets:
                raise _missing_sheet(sheet)
            editor = SheetEditor(self.package, sheet, self.strings, self.styles, self.date1904)
            editor.find_header(_expected_headers(sheet, set(wanted)))
            self.editors[sheet] = editor
            self.plans[sheet] = SheetPlan()
        return self.editors[sheet]

    def column(self, sheet: str, header: str) -> int:
        column = self.editor(sheet, {header}).column_of(header)
        if column is None:
            raise _missing_column(sheet, header)
        return column


def apply_change(package: Package, change, now) -> Applied:
    """Edit ``package.parts`` to carry out ``change`` (a ``toolkit.xlsx.safe_write.RegisterChange``)."""
    session = _Session(package)
    wanted: dict[str, set[str]] = {}
    for update in change.updates:
        wanted.setdefault(update.sheet, set()).add(update.header)
    for sheet, values in change.appends:
        wanted.setdefault(sheet, set()).update(values)
    for sheet in [*wanted, *change.deletions]:
        session.editor(sheet, wanted.get(sheet, set()))
    result = Applied(modified=session.modified, sheets=session.plans)

    for update in change.updates:
        editor, column = session.editor(update.sheet), session.column(update.sheet, update.header)
        if update.row <= editor.header_row:
            raise ChangeNotPossible("change-header-row", row=update.row, sheet=update.sheet)
        editor.set_value(update.row, column, update.value)
        session.plans[update.sheet].updates[(update.row, column)] = update.value
    result.cells_changed = len({(u.sheet, u.row, u.header) for u in change.updates})

    for sheet, rows in change.deletions.items():
        if not rows:
            continue
        editor = session.editor(sheet)
        bad = [r for r in rows if r <= editor.header_row or r not in editor.rows]
        if bad:
            raise ChangeNotPossible("change-row-missing", sheet=sheet, row=bad[0])
        features.refuse_row_deletion(package, sheet, rows, editor)
        rowmap = editor.delete_rows(sorted(rows))
        attached.shift_comments(package, editor.part, rowmap, session.modified)
        attached.shift_tables(package, editor.part, rowmap, session.modified)
        attached.shift_drawings(package, editor.part, rowmap, session.modified)
        attached.shift_defined_names(package, sheet, rowmap, session.modified)
        session.plans[sheet].deleted = rowmap
        result.rows_deleted += len(rowmap.deleted)

    for sheet, values in change.appends:
        editor = session.editor(sheet)
        by_column = {session.column(sheet, header): value for header, value in values.items()}
        number = editor.append_row(by_column)
        session.plans[sheet].appended[number] = by_column
        result.rows_appended += 1

    _log(session, change, result, now)
    if change.scrubs:
        scrubbing.scrub_package(package, session, change.scrubs)
    _finish(session)
    if change.scrubs:
        scrubbing.prove_erased(package, change.scrubs)
    return result


def _log(session: _Session, change, result: Applied, now) -> None:
    if LOG_SHEET not in session.package.sheets:
        from toolkit.xlsx.package import add_sheet

        add_sheet(session.package, LOG_SHEET, LOG_HEADERS)
        session.modified.update({"[Content_Types].xml", session.package.workbook_part,
                                 rels_path(session.package.workbook_part), session.package.sheets[LOG_SHEET]})
    entries = change.logs or [("muutos", say("log-change", "fi", cells=result.cells_changed,      # the register's
                                             deleted=result.rows_deleted, appended=result.rows_appended))]  # language
    created = LOG_SHEET not in session.editors and session.package.sheets[LOG_SHEET] in session.modified
    editor = session.editor(LOG_SHEET, set(LOG_HEADERS))
    columns = [session.column(LOG_SHEET, h) for h in LOG_HEADERS]
    if created:
        session.plans[LOG_SHEET].appended[editor.header_row] = dict(zip(columns, LOG_HEADERS, strict=True))
    for command, details in entries:
        values = dict(zip(columns, (now.strftime(TIME_FORMAT), command, details), strict=True))
        number = editor.append_row(values)
        session.plans[LOG_SHEET].appended[number] = values


def _finish(session: _Session) -> None:
    package = session.package
    dropped = set(session.strings_to_blank).union(*(e.dropped_shared for e in session.editors.values()))
    for editor in session.editors.values():
        for rel_id in editor.dropped_rels:
            if attached.drop_relationship(package, editor.part, rel_id):
                session.modified.add(attached.rels_of(editor.part))
        editor.save()
        session.modified.add(editor.part)
    if dropped:
        used = set()
        for part in package.sheets.values():
            used.update(map(int, _SHARED_REF.findall(package.parts[part])))
        session.strings.blank(dropped - used)
    if any(e.dropped_formula for e in session.editors.values()):
        # Excel rebuilds the calculation chain; a stale one naming a cell without a formula is "corrupt"
        chain = package.part_of_kind("calcChain")
        if chain and remove_part(package, chain):
            session.modified.update({chain, "[Content_Types].xml", rels_path(package.workbook_part)})
    session.strings.save()
    session.styles.save()
    if session.strings.modified:
        session.modified.add(session.strings.part)
    if session.styles.modified:
        session.modified.add(session.styles.part)
