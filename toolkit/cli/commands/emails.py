"""`muskari emails REGISTER [--teacher NAME] [--status S] [--purpose P] [--eml FILE --subject S --body-file B]`:
a BCC address list, or an unsent draft with the school in To and every family only in Bcc."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, folded, today
from toolkit.cli.parser import spoken
from workbook_schema.choices import STATUS as STATUSES


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--purpose", type=folded, choices=("registration", "muskari-ended", "all"),
                        default="registration", help=spoken("help-emails-purpose"))
    parser.add_argument("--teacher", metavar=spoken("metavar-name"), help=spoken("help-emails-teacher"))
    parser.add_argument("--status", type=folded, choices=STATUSES, action="append", metavar=spoken("metavar-status"),
                        help=spoken("help-emails-status"))
    parser.add_argument("--eml", type=Path, metavar=spoken("metavar-draft"), help=spoken("help-emails-eml"))
    parser.add_argument("--subject", metavar=spoken("metavar-subject"), help=spoken("help-emails-subject"))
    parser.add_argument("--body-file", type=Path, metavar=spoken("metavar-text-file"), help=spoken("help-emails-body"))
    parser.add_argument("--force", action="store_true", help=spoken("help-emails-force"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.check import load_checked
    from toolkit.jobs.emails import collect_addresses, write_draft
    from toolkit.reports.emails import invalid_lines, render_addresses, summary_line
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit

    if args.eml and not (args.subject and args.body_file):
        from toolkit.model.messages import say

        print("muskari emails: " + say("emails-eml-needs", args.lang), file=sys.stderr)
        return 2
    _register, result = load_checked(args.register, today(args))
    if not result.ok:
        return refuse_with_findings(result.findings, args.lang)
    addresses = collect_addresses(result.tables, today(args), args.purpose, args.status, args.teacher)
    sys.stderr.write(invalid_lines(addresses, args.lang))
    if args.eml:
        note = write_draft(args.eml, result.tables, addresses, args.subject, args.body_file, args.lang,
                           register=args.register, force=args.force)
        print(note, file=sys.stderr)
        return 0
    if args.format == "table":
        print(summary_line(addresses, args.lang), file=sys.stderr)
    emit(render_addresses(addresses, args.format, args.lang))
    return 0
