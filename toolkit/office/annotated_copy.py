"""`check --annotate`: a copy of the register with each bad cell filled and commented, and a first
sheet listing the findings with links to the cells. The original is never touched: the copy goes through
the output guard (``toolkit.system.outputs``: never over the register or a backup, an existing file only
with ``force``), carries the toolkit's marker and is listed as a copy of the register (it may hold anyone)."""

from __future__ import annotations

from pathlib import Path

from toolkit.model.errors import Refused
from toolkit.model.messages import say, say_each
from toolkit.office.text_cells import set_text

ERROR_FILL = "FFC7CE"     # light red
WARNING_FILL = "FFEB9C"   # light yellow
HEADINGS = ("heading-sheet", "heading-cell", "heading-column", "heading-severity", "heading-problem")


def write_annotated_copy(register, findings, out: Path, lang: str = "fi", force: bool = False) -> Path:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from toolkit.system.outputs import check_output

    out = Path(out)
    check_output(out, register=register.path, force=force)      # before the work, and again when writing
    if out.suffix.lower() != ".xlsx":
        raise Refused("annotated-copy-suffix", name=out.name)
    workbook = openpyxl.load_workbook(register.path)
    title = say("annotated-copy-sheet", lang)
    if title in workbook.sheetnames:
        title = title + " (muskari)"
    summary = workbook.create_sheet(title, 0)
    for col, header in enumerate(say_each(HEADINGS, lang), start=1):
        set_text(summary.cell(1, col), header)
        summary.cell(1, col).font = Font(bold=True)
    severity = {s: say(f"severity-{s}", lang) for s in ("error", "warning")}
    for i, finding in enumerate(findings, start=2):
        for col, value in enumerate((finding.sheet, finding.cell, finding.column, severity[finding.severity],
                                     finding.message(lang)), start=1):
            set_text(summary.cell(i, col), value)
        if finding.cell and finding.sheet in workbook.sheetnames:
            link = summary.cell(i, 2)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{finding.sheet}'!{finding.cell}")
            link.font = Font(color="0563C1", underline="single")
            _mark(workbook[finding.sheet][finding.cell], finding, finding.message(lang), Comment, PatternFill)
        for other in finding.related:                 # the list says the cause once; the copy shows every cell
            if other.cell and other.sheet in workbook.sheetnames:
                _mark(workbook[other.sheet][other.cell], other, _related_note(other, finding, lang), Comment,
                      PatternFill)
    for col, width in zip("ABCDE", (20, 8, 22, 10, 100), strict=True):
        summary.column_dimensions[col].width = width
    summary.freeze_panes = "A2"
    workbook.active = 0
    return _save_private(workbook, out, register.path, force)


def _related_note(finding, root, lang: str) -> str:
    """A folded cell's own sentence, and where its likely cause is when that is another problem."""
    text = finding.own_message(lang)
    if finding.code == root.code:                     # the same unknown name on another row: its own sentence
        return text
    if root.cell:
        return text + " " + say("caused-by-cell", lang, sheet=root.sheet, cell=root.cell)
    return text + " " + say("caused-by-sheet", lang, sheet=root.sheet)


def _mark(cell, finding, text, Comment, PatternFill) -> None:
    color = ERROR_FILL if finding.is_error else WARNING_FILL
    if getattr(cell, "coordinate", None) is None:      # a merged cell's covered part
        return
    cell.fill = PatternFill("solid", start_color=color, end_color=color)
    if cell.comment is not None:
        text = cell.comment.text + "\n\n" + text
    cell.comment = Comment(text, "muskari", width=320, height=120)


def _save_private(workbook, out: Path, register, force: bool) -> Path:
    """Marked as the toolkit's own, guarded, atomic, readable only by its owner (the copy holds personal data)."""
    import io

    from toolkit.office.package_marker import mark_package
    from toolkit.system.outputs import write_output

    buffer = io.BytesIO()
    workbook.save(buffer)
    data, token = mark_package(buffer.getvalue())
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_output(out, data, kind="annotated-copy", students=None, register=register, force=force,
                        marker=token)
