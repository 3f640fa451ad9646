"""`muskari access-request REGISTER (--student ID | --email ADDRESS) --out FILE [--received DATE]`.

Everything the register holds on one person, with the information GDPR article 15 requires, as a
Word document in the command's language (and a workbook too when FILE ends with .xlsx), created with mode 0600.
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, parse_as_of, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--student", metavar=spoken("metavar-student-id"), help=spoken("help-access-student"))
    who.add_argument("--email", metavar=spoken("metavar-address"), help=spoken("help-access-email"))
    parser.add_argument("--out", type=Path, required=True, metavar=spoken("metavar-answer-file"),
                        help=spoken("help-access-out"))
    parser.add_argument("--received", type=parse_as_of, default=None, metavar=spoken("metavar-date"),
                        help=spoken("help-access-received"))
    parser.add_argument("--force", action="store_true", help=spoken("help-force"))
    add_common_options(parser, formats=("table", "json"))


def run(args) -> int:
    from toolkit.jobs import access_request as ar
    from toolkit.jobs.check import load_checked
    from toolkit.reports.findings import refuse_with_findings

    outputs = ar.output_paths(args.out)
    register, result = load_checked(args.register, today(args))
    if not result.ok:
        return refuse_with_findings(result.findings, args.lang)

    def extra(sheet: str, row: int) -> list[tuple[str, object]]:
        data = register.sheets.get(sheet)
        return [(h, data.value(row, c)) for h, c in data.extra_columns.items()] if data else []

    answer = ar.answer_request(register, result.tables, received=args.received or today(args),
                               student_id=args.student, email=args.email, extra=extra)
    ar.write_answer(answer, outputs, force=args.force, register=args.register, lang=args.lang)
    _report(args, answer, outputs)
    return 0


def _report(args, answer, outputs) -> None:
    from toolkit.model.formatting import format_date
    from toolkit.model.messages import counted, say
    from toolkit.reports.formats import emit, format_json

    if not answer.sections:
        print("muskari: " + say("access-nothing-held", args.lang), file=sys.stderr)
    if args.format == "json":
        emit(format_json({"files": [str(p) for p in outputs], "due": answer.due.isoformat(),
                          "rows": {s.sheet: len(s.rows) for s in answer.sections},
                          "documents": [d.path for d in answer.documents]}))
        return
    emit(say("access-written", args.lang, files=", ".join(str(p) for p in outputs),
             rows=counted("access-n-rows", answer.row_count), documents=counted("access-n-documents", len(answer.documents)),
             due=format_date(answer.due, args.lang)) + "\n")
