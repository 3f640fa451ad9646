"""`muskari eligibility REGISTER`: the certificate status of every student (``toolkit.reports.eligibility``
groups and prints it)."""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.eligibility import run_eligibility
    from toolkit.reports.eligibility import render
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit

    as_of = today(args)
    done = run_eligibility(args.register, as_of)
    if not done.check.ok:
        return refuse_with_findings(done.check.findings, args.lang, args.format)
    emit(render(done.results, done.check.tables, as_of, args.format, args.lang))
    return 0
