"""`muskari demo DIR`: a synthetic demo register (DIR/rekisteri.xlsx) and semester forms (DIR/ilmoittautumiset.csv).

The data is relative to --as-of (default today): the same day always gives the same files, and any
day gives the same populations (see toolkit/demo_data.py). Refuses to overwrite either file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli import add_common_options, today

REGISTER_NAME = "rekisteri.xlsx"
FORMS_NAME = "ilmoittautumiset.csv"


def configure(parser) -> None:
    parser.add_argument("folder", type=Path, metavar="KANSIO", help="kansio, johon esimerkit kirjoitetaan / output folder")
    add_common_options(parser)


def run(args) -> int:
    from toolkit.demo_data import build_demo
    from toolkit.workbook_new import (
        check_target,
        make_folder,
        print_created,
        refuse_existing,
        row_counts,
        save_new,
        workbook_from_records,
        write_new_file,
    )

    register, forms = args.folder / REGISTER_NAME, args.folder / FORMS_NAME
    refuse_existing(register)
    refuse_existing(forms)
    make_folder(args.folder)
    check_target(register)
    demo = build_demo(today(args))
    workbook = workbook_from_records(demo.records, demo.settings)
    save_new(workbook, register)
    try:
        write_new_file(forms, lambda handle: handle.write(forms_csv(demo).encode("utf-8-sig")))
    except Exception:
        register.unlink()          # we made it a moment ago: leave both files or neither
        raise
    print_created({"register": register, "forms": forms}, row_counts(workbook), args.format, args.lang)
    hint = ("Next: muskari check {0}, then muskari semester {0} --out {1} --forms {2}" if args.lang == "en" else
            "Seuraavaksi: muskari check {0}, sitten muskari semester {0} --out {1} --forms {2}")
    print(hint.format(register, args.folder / "lukukausi", forms), file=sys.stderr)
    return 0


def forms_csv(demo) -> str:
    """The forms as a forms service exports them: comma-separated, a header row of questions."""
    import csv
    import io

    from toolkit.demo_data import FORMS_HEADERS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FORMS_HEADERS)
    writer.writerows(demo.forms_rows)
    return buffer.getvalue()
