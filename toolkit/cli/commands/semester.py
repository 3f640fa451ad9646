"""`muskari semester REGISTER --out DIR [--forms FORMS] [--apply]`: the whole semester run, with a summary.

check -> import forms -> certificates -> purge -> teacher lists -> e-mail lists -> plots, each step on the
register the step before left, and the summary (the page DIR/yhteenveto.html, and the same as text on the
terminal; --format json gives the steps' counts). Without --apply nothing is written at all: every step plays on
the one before in memory and the counts are those --apply then carries out."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken
from toolkit.model import folders


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--out", type=Path, metavar=spoken("metavar-folder"), help=spoken("help-semester-out"))
    parser.add_argument("--forms", type=Path, metavar=spoken("metavar-forms"), help=spoken("help-semester-forms"))
    parser.add_argument("--apply", action="store_true", help=spoken("help-semester-apply"))
    add_common_options(parser, formats=("table", "json"))


def run(args) -> int:
    from datetime import datetime

    from toolkit.jobs.semester import STEPS, run_semester, step_name
    from toolkit.model.messages import say
    from toolkit.reports.findings import print_findings, refuse_with_findings
    from toolkit.reports.formats import emit, format_json
    from toolkit.reports.semester import render_text, semester_json

    out_dir = args.out or args.register.parent / folders.SEMESTER
    result = run_semester(args.register, out_dir, today=today(args), now=datetime.now(), forms=args.forms,
                          apply=args.apply, lang=args.lang)
    if result.failed_step:
        words = {"number": STEPS.index(result.failed_step) + 1, "total": len(STEPS),
                 "step": step_name(result.failed_step, args.lang)}
        if result.failed_step == "check":
            print("muskari: " + say("semester-errors-stopped", args.lang, **words), file=sys.stderr)
            return refuse_with_findings(result.findings, args.lang, args.format)
        print_findings(result.findings, args.format, args.lang)      # errors the step's own changes would make
        code = "semester-errors-after-step" if args.apply else "semester-errors-after-step-preview"
        print("muskari: " + say(code, args.lang, **words), file=sys.stderr)
        return 1
    if args.format == "json":
        emit(format_json(semester_json(result, args.lang)))
    else:
        emit(render_text(result.summary, args.lang))
    if result.summary_path:
        print(say("semester-page-written", args.lang, path=result.summary_path), file=sys.stderr)
    else:
        print(say("semester-preview-nothing-written", args.lang, path=out_dir / folders.SUMMARY), file=sys.stderr)
    return 0
