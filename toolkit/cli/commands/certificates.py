"""`muskari certificates REGISTER [--out DIR] [--student ID]… [--type T] [--pdf] [--apply]`.

Without --apply: lists what would be issued (numbers, students, files). With it: renders, records in
Todistukset and Valmistuneet, and puts the documents in DIR (default `todistukset/` beside the register).
Requested certificates that will not be issued are explained on stderr (exit 3 when nothing is left),
and so are the templates' notices (a kind that fell back to the toolkit's own template, items missing from
a restyled final-certificate template).
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, folded, today
from toolkit.cli.parser import spoken
from workbook_schema.choices import CERTIFICATES as KINDS


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--out", type=Path, metavar=spoken("metavar-folder"), help=spoken("help-certificates-out"))
    parser.add_argument("--student", action="append", default=[], metavar=spoken("metavar-student-id"),
                        help=spoken("help-certificates-student"))
    parser.add_argument("--type", dest="kind", type=folded, choices=KINDS, help=spoken("help-certificates-type"))
    parser.add_argument("--pdf", action="store_true", help=spoken("help-certificates-pdf"))
    parser.add_argument("--apply", action="store_true", help=spoken("help-certificates-apply"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.model.messages import say
    from toolkit.xlsx.lock import register_lock

    if args.kind == "osallistumistodistus" and not args.student:
        print("muskari: " + say("certificates-participation-needs-student", args.lang), file=sys.stderr)
        return 2
    with register_lock(args.register, enabled=args.apply):     # from the first read to the replace
        return _issue(args, today(args))


def _issue(args, as_of) -> int:
    from datetime import datetime

    from toolkit.jobs.certificates import check_templates, issue_certificates, plan_run
    from toolkit.jobs.check import load_checked
    from toolkit.model.messages import say
    from toolkit.reports.certificates import render_plan
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit

    register, result = load_checked(args.register, as_of)
    if not result.ok:
        return refuse_with_findings(result.findings, args.lang, args.format)
    kinds = (args.kind,) if args.kind else KINDS[:2]
    plan = plan_run(register, result.tables, as_of, out_dir=args.out, students=tuple(args.student), kinds=kinds)
    for refusal in plan.refusals:
        print("muskari: " + refusal.message(args.lang), file=sys.stderr)
    for notice in check_templates(register, plan, pdf=args.pdf):     # a bad template stops even a dry run
        print("muskari: " + notice.text(args.lang), file=sys.stderr)
    if not args.apply:
        emit(render_plan(plan, args.format, args.lang, applied=False))
        if plan.missing_settings:
            print("muskari: " + say("certificates-fill-settings", args.lang, keys=", ".join(plan.missing_settings)),
                  file=sys.stderr)
        return 3 if plan.refusals and not plan.requests else 0
    from toolkit.system.progress import task

    # no refresh thread: redrawn as documents finish (the batch runs in worker processes)
    with task("progress-certificates", len(plan.requests), big=len(plan.requests) > 1,
              refresh_thread=False) as bar:
        issued = issue_certificates(register, result.tables, plan, pdf=args.pdf, now=datetime.now(),
                                    progress=bar.advance)
    for notice in issued.recovered:
        print("muskari: " + notice.text(args.lang), file=sys.stderr)
    emit(render_plan(plan, args.format, args.lang, applied=True))
    if issued.combined_pdf:
        print("muskari: " + say("certificates-print-pdf", args.lang, path=issued.combined_pdf), file=sys.stderr)
    return 3 if plan.refusals and not plan.requests else 0
