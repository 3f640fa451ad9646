"""Factory helpers: tiny typed tables with valid defaults, so each test states only what matters.

    tables = make_tables(students=[student(id="0001", birth=date(2019, 3, 1))],
                         studies=[study("0001", "Muskari 1", hours=30)])
"""

from __future__ import annotations

from datetime import date

from toolkit.model.tables import Tables, frame_from_records
from workbook_schema.settings import Settings

DEFAULT_UNITS = [
    {"name": "Muskari 1", "part": "varhaisiän musiikkikasvatus", "extent": 30.0},
    {"name": "Muskari 2", "part": "varhaisiän musiikkikasvatus", "extent": 30.0},
    {"name": "Soitin 1", "part": "yhteiset opinnot", "extent": 100.0},
    {"name": "Soitin 2", "part": "yhteiset opinnot", "extent": 100.0},
    {"name": "Soitin 3", "part": "yhteiset opinnot", "extent": 100.0},
    {"name": "Bändi", "part": "teemaopinnot", "extent": 100.0},
    {"name": "Sävellys", "part": "teemaopinnot", "extent": 100.0},
]


def student(id: str = "0001", first: str = "Aino", last: str = "Virtanen", birth: date = date(2019, 3, 1),
            status: str = "aktiivinen", teacher: str | None = "Liisa Laulu", email: str | None = "perhe@example.fi",
            **extra) -> dict:
    rec = {"student_id": id, "first_name": first, "last_name": last, "birth_date": birth, "status": status,
           "teacher": teacher, "email": email, "guardian": extra.pop("guardian", "Maija Virtanen")}
    rec.update(extra)
    return rec


def study(student_id: str = "0001", unit: str = "Muskari 1", hours: float = 30.0,
          completed: date = date(2023, 5, 31), semester: str | None = None, teacher: str | None = None) -> dict:
    if semester is None:
        semester = f"{'kevät' if completed.month <= 7 else 'syksy'} {completed.year}"
    return {"student_id": student_id, "unit": unit, "hours": hours, "completed": completed,
            "semester": semester, "teacher": teacher}


def certificate(number: str = "2025-001", student_id: str | None = "0001", kind: str = "muskaritodistus",
                on: date = date(2025, 6, 1), file: str | None = None) -> dict:
    return {"number": number, "student_id": student_id, "kind": kind, "date": on, "file": file}


def graduate(year: int = 2025, name: str = "Aino Virtanen", kind: str = "muskaritodistus",
             number: str | None = "2025-001") -> dict:
    return {"year": year, "name": name, "kind": kind, "number": number}


def contact(name: str | None = "Ville Vieras", email: str | None = "ville@example.fi", phone: str | None = None,
            collected: date = date(2026, 1, 15), purpose: str | None = "tiedote") -> dict:
    return {"name": name, "email": email, "phone": phone, "collected": collected, "purpose": purpose}


def make_tables(students=(), studies=(), units=None, teachers=None, certificates=(), graduates=(), contacts=(),
                settings: Settings | None = None) -> Tables:
    return Tables(
        students=frame_from_records("Oppilaat", list(students)),
        studies=frame_from_records("Opinnot", list(studies)),
        units=frame_from_records("Opintokokonaisuudet", DEFAULT_UNITS if units is None else list(units)),
        teachers=frame_from_records("Opettajat", [{"name": "Liisa Laulu", "email": "liisa@example.fi"}]
                                    if teachers is None else list(teachers)),
        certificates=frame_from_records("Todistukset", list(certificates)),
        graduates=frame_from_records("Valmistuneet", list(graduates)),
        contacts=frame_from_records("Yhteydenotot", list(contacts)),
        settings=settings or Settings(),
    )


NAMES = [("Aino", "Virtanen"), ("Eino", "Korhonen"), ("Helmi", "Mäkinen"), ("Onni", "Nieminen"),
         ("Venla", "Järvinen"), ("Leo", "Heikkinen"), ("Iida", "Koskinen"), ("Väinö", "Lehtonen")]


def class_of(n: int = 8) -> Tables:
    """``n`` students 0001.. (names cycle through NAMES; family i: perhe{i}@example.fi, 040 123 000i), each
    with one Muskari 1 study, all taught by Liisa Laulu: a register for the writer's row-level tests."""
    students, studies = [], []
    for i in range(1, n + 1):
        first, last = NAMES[(i - 1) % len(NAMES)]
        students.append(student(f"{i:04d}", first, last, date(2015 + i % 5, 1 + i % 12, 1 + i % 27),
                                email=f"perhe{i}@example.fi", guardian=f"Huoltaja {i}", phone=f"040 123 {i:04d}"))
        studies.append(study(f"{i:04d}", "Muskari 1", 30.0, date(2024, 5, 31), semester="kevät 2024"))
    return make_tables(students=students, studies=studies)
