"""The register's Lomakekentät sheet: which register field a forms question fills (``Kysymys``, ``Kenttä``).

Pure: the sheet as read (``toolkit.xlsx.reading.SheetData``, or None when the register has no such sheet)
in; the mapping and the findings about it out. A register without the sheet is valid and maps nothing.

    mapping, findings = read_mapping(register.sheets.get("Lomakekentät"))
    mapping   # {"Milloin lapsi on syntynyt": "Syntymäaika", "Toinen sähköposti": "ei tuoda"}
"""

from __future__ import annotations

from toolkit.model.findings import Finding, cell_ref, make
from toolkit.model.text import key
from toolkit.rules import cells
from toolkit.rules.forms_questions import looks_like_health, question_key
from workbook_schema import SHEETS, forms_mapping

SHEET = forms_mapping.SHEET
_CHOICES = {key(name): name for name in (*forms_mapping.FORM_FIELDS, *forms_mapping.FIELD_SYNONYMS)}
_NOT_FROM_FORMS = {key(name): name for name in forms_mapping.NOT_FROM_FORMS}


def read_mapping(sheet) -> tuple[dict[str, str], list[Finding]]:
    """Kysymys -> Kenttä (the Kenttä as the catalogue spells it) for every valid row, and the findings."""
    if sheet is None:
        return {}, []
    spec = SHEETS[SHEET]
    if sheet.header_row is None:
        if any(v not in (None, "") for row in sheet.rows for v in row):
            return {}, [make("missing-header", sheet=SHEET, params={"columns": ", ".join(spec.headers)})]
        return {}, []
    missing = [h for h in spec.headers if h not in sheet.columns]
    if missing:
        return {}, [make("missing-column", sheet=SHEET, column=h) for h in missing]
    q_col, f_col = sheet.columns["Kysymys"], sheet.columns["Kenttä"]
    mapping: dict[str, str] = {}
    seen: dict[str, tuple[int, str]] = {}
    findings: list[Finding] = []
    for row in sheet.data_rows():
        question, name = sheet.value(row, q_col), sheet.value(row, f_col)
        if cells.is_blank(question) and cells.is_blank(name):
            continue
        where = {"sheet": SHEET, "row": row}
        if cells.is_blank(question) or cells.is_blank(name):
            col, header = (q_col, "Kysymys") if cells.is_blank(question) else (f_col, "Kenttä")
            findings.append(make("missing-value", cell=cell_ref(col, row), column=header, **where))
            continue
        question, name = cells.to_text(question), cells.to_text(name)
        at_field = {"cell": cell_ref(f_col, row), "column": "Kenttä", "value": name, **where}
        field = _CHOICES.get(key(name))     # a choice as the register compares choices: case and spaces aside
        field = forms_mapping.FIELD_SYNONYMS.get(field, field)
        if field is None:
            not_filled = _NOT_FROM_FORMS.get(key(name))
            code = "form-field-not-from-forms" if not_filled else "invalid-choice"
            findings.append(make(code, params={"choices": ", ".join(forms_mapping.FORM_FIELDS)}, **at_field))
            if not_filled:
                mapping[question] = not_filled        # the import then says why the column is not imported
            continue
        asked = question_key(question)
        if asked in seen and seen[asked][1] != field:
            findings.append(make("form-mapping-twice", cell=cell_ref(q_col, row), column="Kysymys", value=question,
                                 params={"other_row": seen[asked][0]}, **where))
            continue
        seen.setdefault(asked, (row, field))
        if looks_like_health(question) and field != forms_mapping.NOT_IMPORTED:
            findings.append(make("form-health-question", cell=cell_ref(q_col, row), column="Kysymys", value=question,
                                 **where))
        mapping[question] = field
    return mapping, findings
