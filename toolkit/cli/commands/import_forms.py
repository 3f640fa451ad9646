"""`muskari import-forms REGISTER FORMS [--apply]`: semester registration forms into the register.

Without --apply it prints the change report and changes nothing; with it, the register is written only when
there is something to change."""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("forms", type=Path, metavar=spoken("metavar-forms"), help=spoken("help-import-forms-forms"))
    parser.add_argument("--apply", action="store_true", help=spoken("help-import-forms-apply"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.check import load_checked
    from toolkit.jobs.import_forms import import_forms
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit, format_csv, format_json
    from toolkit.reports.forms import CSV_HEADERS, plan_rows, plan_to_dict, render_plan
    from toolkit.xlsx.lock import register_lock

    with register_lock(args.register, enabled=args.apply):     # from the first read to the replace
        checked = load_checked(args.register, today(args))
        if not checked[1].ok:
            return refuse_with_findings(checked[1].findings, args.lang)
        outcome = import_forms(args.register, args.forms, today(args), apply=args.apply, checked=checked)
    plan, header_row = outcome.plan, outcome.forms.table.header_row
    if args.format == "json":
        emit(format_json({"as_of": today(args).isoformat(),
                          **plan_to_dict(plan, args.lang, applied=args.apply, written=outcome.applied)}))
    elif args.format == "csv":
        emit(format_csv(plan_rows(plan, args.lang, header_row), CSV_HEADERS))
    else:
        emit(render_plan(plan, args.forms.name, args.lang, apply=args.apply, written=outcome.applied))
    return 0
