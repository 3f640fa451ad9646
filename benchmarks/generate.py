"""Generate a big synthetic register for benchmarks (not a test).

    python benchmarks/generate.py --students 10000 --studies 200000 benchmarks/data/r10k.xlsx
    python benchmarks/generate.py --students 100000 --studies 1000000 --as-of 2026-11-25 OUT.xlsx

Deterministic: the same sizes, seed and as-of day give the same cell values. Dates are relative to
the as-of day (default today, like `muskari demo`), so `muskari check` on the same or a later day
finds no errors. The layout (sheets, headers, widths, formats, dropdowns, settings, Ohje) is the one
`muskari init` writes (toolkit/workbook_new.py); the vocabulary is the demo's (toolkit/synthetic.py).
Written with XlsxWriter in constant-memory mode (rows stream to disk): 1 000 000 study rows take
about a minute. The output never overwrites an existing file.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from toolkit.demo import synthetic as syn  # noqa: E402
from toolkit.model.messages import say  # noqa: E402
from toolkit.office import new_workbook as layout  # noqa: E402
from workbook_schema import SHEET_ORDER  # noqa: E402

SIZES = ((1_000, 20_000), (10_000, 200_000), (100_000, 1_000_000))
SEED = 1852770
EXCEL_EPOCH = date(1899, 12, 30)
STATUS_WEIGHTS = (("aktiivinen", 85), ("tauolla", 10), ("päättynyt", 5))


def teachers(students: int) -> list[dict]:
    """The demo's five teachers, plus more for a big school (at most 150: the dropdown covers 199 rows)."""
    out = syn.teacher_records()
    wanted = min(150, max(len(out), students // 60))
    pairs = [(f, s) for s in syn.SURNAMES for f in syn.ADULTS]
    random.Random(SEED).shuffle(pairs)
    for first, last in pairs[:wanted - len(out)]:
        out.append({"name": f"{first} {last}", "email": f"{syn.ascii_slug(first)}.{syn.ascii_slug(last)}@example.fi"})
    return out


def student_rows(count: int, as_of: date, teacher_names: list[str], rng: random.Random):
    """(record, first study term index) for ``count`` students aged 1–19; ids zero-padded to a fixed width."""
    width = max(4, len(str(count)) + 1)
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    for i in range(1, count + 1):
        months = rng.randint(14, 236)
        birth = syn.add_months(as_of, -months) - timedelta(days=rng.randint(0, 27))
        if (birth.month, birth.day) == (2, 29):
            birth = birth.replace(day=28)
        first = rng.choice(syn.GIRLS if rng.random() < 0.55 else syn.BOYS)
        last = rng.choice(syn.SURNAMES)
        adult = syn.age_on(birth, as_of) >= 18
        guardian = None if adult else f"{rng.choice(syn.ADULTS)} {last}"
        contact = f"{first} {last}" if adult else guardian
        yield {"student_id": f"{i:0{width}d}", "first_name": first, "last_name": last, "birth_date": birth,
               "guardian": guardian,
               "email": f"{'.'.join(map(syn.ascii_slug, contact.split()))}.{i}@example.{'com' if i % 3 else 'fi'}",
               "phone": syn.phone_number(rng) if rng.random() < 0.9 else None, "teacher": rng.choice(teacher_names),
               "status": rng.choice(statuses), "continues": None, "deletion_requested": None,
               "last_registration": None, "notes": None}


def study_rows(students: list[dict], total: int, as_of: date, rng: random.Random):
    """``total`` study rows spread evenly over the students, each in a term after the student's birth."""
    terms = syn.terms_until(as_of)
    muskari = [u for u in syn.unit_records() if u["part"] == syn.P_MUSKARI]
    common = [u["name"] for u in syn.unit_records() if u["part"] == syn.P_COMMON]
    thematic = [u["name"] for u in syn.unit_records() if u["part"] == syn.P_THEMATIC]
    per, extra = divmod(total, len(students)) if students else (0, 0)
    for index, student in enumerate(students):
        birth = student["birth_date"]
        start = syn.add_months(birth, 3)
        seven = syn.birthday(birth, 7)
        open_terms = [t for t in terms if t.end > start]
        for _ in range(per + (index < extra)):
            term = rng.choice(open_terms)
            if term.end < seven:
                unit = muskari[min(3, max(0, syn.age_on(birth, term.end) // 2))]["name"]
            else:
                unit = rng.choice(common) if rng.random() < 0.7 else rng.choice(thematic)
            yield {"student_id": student["student_id"], "unit": unit, "semester": term.label,
                   "hours": rng.randrange(16, 121) / 4, "completed": term.end, "teacher": student["teacher"]}


def generate(path: Path, students: int, studies: int, as_of: date) -> dict[str, int]:
    """Write the register to ``path`` (which must not exist); returns the rows of each sheet."""
    import xlsxwriter

    layout.check_target(path)
    rng = random.Random(SEED)
    teacher_list = teachers(students)
    people = list(student_rows(students, as_of, [t["name"] for t in teacher_list], rng))
    records = {"Oppilaat": people, "Opinnot": study_rows(people, studies, as_of, rng),
               "Opintokokonaisuudet": syn.unit_records(), "Opettajat": teacher_list,
               "Yhteydenotot": [{"name": None, "email": f"tiedote{i}@example.fi", "phone": None,
                                 "collected": as_of - timedelta(days=30 * i + 3), "purpose": "tiedote"}
                                for i in range(1, 13)]}
    counts: dict[str, int] = {}

    def write(handle) -> None:
        workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                                "strings_to_numbers": False, "strings_to_urls": False})
        counts.update(_write(workbook, records))
        workbook.close()

    layout.write_new_file(path, write)   # a temp file beside it, then linked into place: never overwrites
    return counts


def _write(workbook, records: dict) -> dict[str, int]:
    header = workbook.add_format({"bold": True, "bg_color": "#" + layout.HEADER_FILL})
    formats = {layout.DATE_FORMAT: workbook.add_format({"num_format": layout.DATE_FORMAT}),
               layout.TEXT_FORMAT: workbook.add_format({"num_format": layout.TEXT_FORMAT})}
    sheets = {name: workbook.add_worksheet(name) for name in SHEET_ORDER}
    _write_ohje(workbook, sheets["Ohje"])
    workbook.define_name(layout.TEACHER_LIST_NAME, "=" + layout.TEACHER_LIST_RANGE)
    counts = {}
    for name in SHEET_ORDER[1:]:
        ws, columns = sheets[name], layout.sheet_layout(name)
        for col in columns:
            ws.set_column(col.index - 1, col.index - 1, col.width, formats.get(col.number_format))
            ws.write_string(0, col.index - 1, col.header, header)
        ws.freeze_panes(1, 0)
        if name == "Asetukset":
            rows = [dict(zip(("key", "value", "explanation"), r, strict=True))
                    for r in layout.settings_rows(syn.SETTINGS_VALUES)]
        else:
            rows = records.get(name, [])
        counts[name] = _write_rows(ws, columns, rows, formats)
    for drop in layout.dropdowns():
        first, last = drop.ref.split(":") if ":" in drop.ref else (drop.ref, drop.ref)
        source = drop.source.strip('"').split(",") if drop.source.startswith('"') else "=" + drop.source
        sheets[drop.sheet].data_validation(f"{first}:{last}", {
            "validate": "list", "source": source, "ignore_blank": True, "error_type": "stop" if drop.strict else "warning",
            "error_title": say("dropdown-title"), "error_message": drop.error})
    sheets["Oppilaat"].activate()
    return counts


def _write_rows(ws, columns, rows, formats) -> int:
    date_format, text_format = formats[layout.DATE_FORMAT], formats[layout.TEXT_FORMAT]
    plan = [(c.index - 1, c.field, c.kind) for c in columns]
    count = 0
    for count, record in enumerate(rows, start=1):
        for col, field, kind in plan:
            value = record.get(field)
            if value is None:
                continue
            if isinstance(value, date):
                ws.write_number(count, col, (value - EXCEL_EPOCH).days, date_format)
            elif isinstance(value, int | float) and kind != "id":
                ws.write_number(count, col, value)
            else:
                ws.write_string(count, col, str(value), text_format if kind == "id" else None)
    return count


def _write_ohje(workbook, ws) -> None:
    styles = {"title": workbook.add_format({"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"}),
              "heading": workbook.add_format({"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"}),
              "text": workbook.add_format({"text_wrap": True, "valign": "top"})}
    ws.set_column(0, 0, 110)
    for row, (style, text) in enumerate(layout.ohje_lines()):
        if text:
            ws.write_string(row, 0, text, styles[style])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, required=True)
    parser.add_argument("--studies", type=int, required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD, default today")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = generate(args.out, args.students, args.studies, args.as_of or date.today())
    except ImportError:
        print("generate.py needs XlsxWriter: pip install -e '.[dev]'", file=sys.stderr)
        return 3
    except Exception as error:  # a MuskariError (file exists, folder missing) is one line, not a traceback
        from toolkit.model.errors import MuskariError

        if not isinstance(error, MuskariError):
            raise
        print(f"generate.py: {error.message('en')}", file=sys.stderr)
        return 3
    print(f"{args.out}: {counts['Oppilaat']} students, {counts['Opinnot']} study rows "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
