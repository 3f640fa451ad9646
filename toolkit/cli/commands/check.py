"""`muskari check REGISTER [--annotate OUT]`: validate the register."""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--annotate", type=Path, metavar=spoken("metavar-copy"), help=spoken("help-check-annotate"))
    parser.add_argument("--force", action="store_true", help=spoken("help-check-force"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.check import load_checked
    from toolkit.reports.findings import print_findings

    register, result = load_checked(args.register, today(args))
    if args.annotate:
        from toolkit.office.annotated_copy import write_annotated_copy

        write_annotated_copy(register, result.findings, args.annotate, lang=args.lang, force=args.force)
    print_findings(result.findings, args.format, args.lang)
    return 0 if result.ok else 1
