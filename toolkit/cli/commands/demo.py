"""`muskari demo DIR`: a synthetic demo register (DIR/rekisteri.xlsx) and semester forms (DIR/ilmoittautumiset.csv)."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.model import folders


def configure(parser) -> None:
    parser.add_argument("folder", type=Path, metavar="KANSIO", help="kansio, johon esimerkit kirjoitetaan / output folder")
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.demo import write_demo
    from toolkit.reports.formats import emit
    from toolkit.reports.new_files import render_created

    files, counts = write_demo(args.folder, today(args))
    emit(render_created(files, counts, args.format, args.lang))
    hint = ("Next: muskari check {0}, then muskari semester {0} --out {1} --forms {2}" if args.lang == "en" else
            "Seuraavaksi: muskari check {0}, sitten muskari semester {0} --out {1} --forms {2}")
    print(hint.format(files["register"], args.folder / folders.SEMESTER, files["forms"]), file=sys.stderr)
    return 0
