"""`muskari teacher-lists REGISTER --out DIR`: one workbook per teacher with only their own students."""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--out", type=Path, required=True, metavar=spoken("metavar-folder"),
                        help=spoken("help-teacher-lists-out"))
    parser.add_argument("--force", action="store_true", help=spoken("help-teacher-lists-force"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.check import load_checked
    from toolkit.jobs.teacher_lists import write_teacher_lists
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit, format_csv, format_json
    from toolkit.reports.teacher_lists import render_summary, result_to_dict, summary_rows

    _register, result = load_checked(args.register, today(args))
    if not result.ok:
        return refuse_with_findings(result.findings, args.lang)
    written = write_teacher_lists(result.tables, args.out, register=args.register, force=args.force)
    if args.format == "json":
        emit(format_json(result_to_dict(written)))
    elif args.format == "csv":
        emit(format_csv(summary_rows(written), ["teacher", "file", "students", "student_ids"]))
    else:
        emit(render_summary(written, args.lang))
    return 0
