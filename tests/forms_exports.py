"""Registration-forms exports in the exact shapes the services write them, for made-up families only.

    path = google_forms_csv(tmp_path / "vastaukset.csv", QUESTIONS_FI, [response(AINO, stamp)])

- Google Forms, "Download responses (.csv)": every field quoted, UTF-8, CRLF, the timestamp first as
  ``2026/05/12 9:14:03 AM GMT+3`` (``Aikaleima``/``Timestamp``), the respondent's account address next when
  the form collects it (``Sähköpostiosoite``/``Email Address``); the download arrives as a .zip.
- Google Sheets, File > Download > CSV in the Finnish locale: ``7.8.2026 10.23.45``, dates ``1.3.2019``,
  quoted only where needed.
- Microsoft Forms, "Open in Excel" (.xlsx): ``ID``, ``Start time``, ``Completion time``, ``Email``
  (``anonymous`` when anyone may answer), ``Name``, ``Last modified time``, then the questions; times and
  date answers are date cells.
- Excel, Save As "CSV (puolipiste)" in Finnish Windows: Windows-1252, ``;``, CRLF, ``12.5.2026 9.14``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class Family:
    first: str
    last: str
    birth: date
    guardian: str | None = None
    email: str | None = None
    phone: str | None = None
    student_id: str | None = None

    @property
    def child(self) -> str:
        return f"{self.first} {self.last}"


# The register of tests/factories.py holds AINO as 0001 (Maija Virtanen, perhe@example.fi, 040 123 4567).
AINO = Family("Aino", "Virtanen", date(2019, 3, 1), "Maija Virtanen", "perhe@example.fi", "040 123 4567", "0001")
EINO = Family("Eino", "Uusi", date(2021, 6, 5), "Pekka Uusi", "pekka@example.fi", "050 111 2222")
ELLA = Family("Ella Sofia", "Mäkelä", date(2020, 10, 12), "Sari Mäkelä", "sari.makela@example.fi", "044 765 4321")

# Natural questions a school's form asks, in the order it asks them.
QUESTIONS_FI = ("Oppilaan etunimi", "Oppilaan sukunimi", "Lapsen syntymäaika (pp.kk.vvvv)", "Huoltajan nimi",
                "Huoltajan sähköpostiosoite", "Huoltajan puhelinnumero", "Jatkaako lapsi ensi lukukaudella?")
QUESTIONS_EN = ("Student's first name", "Student's last name", "Date of birth", "Parent or guardian name",
                "E-mail", "Phone number", "Will your child continue next term?")


@dataclass
class Response:
    stamp: datetime
    answers: dict = field(default_factory=dict)     # question -> answer (str, date, datetime, number, None)


def answers(family: Family, questions=QUESTIONS_FI, continues: str = "Kyllä", **changes) -> dict:
    """A family's answers to the natural questions (``changes`` by field: first, last, birth, email, ...)."""
    values = {"first": family.first, "last": family.last, "birth": family.birth, "guardian": family.guardian,
              "email": family.email, "phone": family.phone, "continues": continues} | changes
    order = ("first", "last", "birth", "guardian", "email", "phone", "continues")
    return {q: values[k] for q, k in zip(questions, order, strict=True)}


def response(family: Family, stamp: datetime, questions=QUESTIONS_FI, continues: str = "Kyllä", **changes) -> Response:
    return Response(stamp, answers(family, questions, continues, **changes))


def google_stamp(moment: datetime, offset_hours: int = 3) -> str:
    """``2026/05/12 9:14:03 AM GMT+3``: Google Forms' CSV timestamp."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%Y/%m/%d} {hour}:{moment:%M:%S} {half} GMT+{offset_hours}"


def finnish_stamp(moment: datetime, seconds: bool = True) -> str:
    """``7.8.2026 10.23.45`` (Google Sheets, Finnish locale) or ``7.8.2026 10.23`` (Excel)."""
    base = f"{moment.day}.{moment.month}.{moment.year} {moment.hour}.{moment:%M}"
    return base + (f".{moment:%S}" if seconds else "")


def finnish_date(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def _text(value, dates=finnish_date) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return finnish_stamp(value)
    if isinstance(value, date):
        return dates(value)
    return str(value)


def _csv(rows: list[list[str]], delimiter: str = ",", quoting=csv.QUOTE_MINIMAL) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def google_forms_text(questions, responses: list[Response], english: bool = False,
                      account_emails: list[str] | None = None) -> str:
    head = ["Timestamp" if english else "Aikaleima"]
    if account_emails is not None:
        head.append("Email Address" if english else "Sähköpostiosoite")
    rows = [head + list(questions)]
    for i, r in enumerate(responses):
        row = [google_stamp(r.stamp)] + ([account_emails[i]] if account_emails is not None else [])
        rows.append(row + [_text(r.answers.get(q)) for q in questions])
    return _csv(rows, quoting=csv.QUOTE_ALL)


def google_forms_csv(path: Path, questions, responses: list[Response], english: bool = False,
                     account_emails: list[str] | None = None) -> Path:
    path.write_bytes(google_forms_text(questions, responses, english, account_emails).encode("utf-8"))
    return path


def google_forms_zip(path: Path, questions, responses: list[Response], **kwargs) -> Path:
    """What "Download responses (.csv)" gives: a zip holding one CSV named after the form."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Ilmoittautuminen kevät 2027.csv",
                         google_forms_text(questions, responses, **kwargs).encode("utf-8"))
    return path


def google_sheets_csv_fi(path: Path, questions, responses: list[Response]) -> Path:
    rows = [["Aikaleima", *questions]]
    rows += [[finnish_stamp(r.stamp)] + [_text(r.answers.get(q)) for q in questions] for r in responses]
    path.write_bytes(_csv(rows).encode("utf-8"))
    return path


MICROSOFT_EN = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")
MICROSOFT_FI = ("Tunnus", "Aloitusaika", "Valmistumisaika", "Sähköposti", "Nimi", "Viimeksi muokattu aika")


def microsoft_forms_xlsx(path: Path, questions, responses: list[Response], finnish: bool = False,
                         accounts: list[tuple[str, str | None]] | None = None) -> Path:
    """Microsoft Forms' workbook: the service columns, then the questions; times and dates as date cells.
    ``accounts``: (Email, Name) per response; default ("anonymous", None), as when anyone may answer."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Form1"
    sheet.append([*(MICROSOFT_FI if finnish else MICROSOFT_EN), *questions])
    for i, r in enumerate(responses, start=1):
        email, name = (accounts or [])[i - 1] if accounts else ("anonymous", None)
        values = [r.answers.get(q) for q in questions]
        values = [datetime(v.year, v.month, v.day) if isinstance(v, date) and not isinstance(v, datetime) else v
                  for v in values]
        sheet.append([i, r.stamp - timedelta(minutes=3), r.stamp, email, name, None, *values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "m/d/yy h:mm:ss" if cell.column <= 6 else "m/d/yyyy"
    workbook.save(path)
    return path


def excel_semicolon_csv(path: Path, headers, rows: list[list]) -> Path:
    """Excel's Save As "CSV (puolipiste)" in Finnish Windows: Windows-1252, semicolons, times as 12.5.2026 9.14."""
    text_rows = [list(headers)] + [[finnish_stamp(v, seconds=False) if isinstance(v, datetime) else _text(v)
                                    for v in row] for row in rows]
    path.write_bytes(_csv(text_rows, delimiter=";").encode("cp1252"))
    return path
