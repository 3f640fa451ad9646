"""`muskari semester REGISTER --out DIR [--forms FORMS] [--apply]`: the whole semester run, with a summary.

check -> import forms -> eligibility -> certificates -> purge -> teacher lists -> e-mail lists -> summary
(the page DIR/yhteenveto.html, and the same as text on the terminal). Without --apply the register is not
changed."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.model import folders


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI", help="rekisterin .xlsx-tiedosto / the register")
    parser.add_argument("--out", type=Path, metavar="KANSIO",
                        help="listojen ja yhteenvedon kansio (oletus lukukausi/ rekisterin vieressä) / output folder")
    parser.add_argument("--forms", type=Path, metavar="LOMAKKEET",
                        help="ilmoittautumislomakkeiden vienti (.xlsx tai .csv) / the registration forms export")
    parser.add_argument("--apply", action="store_true", help="tallenna muutokset rekisteriin / save the changes")
    add_common_options(parser, formats=("table",))


def run(args) -> int:
    from datetime import datetime

    from toolkit.jobs.semester import STEPS, run_semester
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit
    from toolkit.reports.semester import render_text

    out_dir = args.out or args.register.parent / folders.SEMESTER
    result = run_semester(args.register, out_dir, today=today(args), now=datetime.now(), forms=args.forms,
                          apply=args.apply, lang=args.lang)
    if result.failed_step:
        number = list(STEPS).index(result.failed_step) + 1
        step = STEPS[result.failed_step][1 if args.lang == "en" else 0]
        print((f"muskari: the semester run stopped at step {number} ({step})." if args.lang == "en" else
               f"muskari: lukukausiajo pysähtyi vaiheeseen {number} ({step})."), file=sys.stderr)
        return refuse_with_findings(result.findings, args.lang)
    emit(render_text(result.summary, args.lang))
    print((f"Summary page (open it in a browser): {result.summary_path}" if args.lang == "en" else
           f"Yhteenveto sivuna (avaa se selaimella): {result.summary_path}"), file=sys.stderr)
    return 0
