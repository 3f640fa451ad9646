"""`muskari access-request REGISTER (--student ID | --email ADDRESS) --out FILE [--received DATE]`.

Everything the register holds on one person, with the information GDPR article 15 requires, as a
Finnish Word document (and a workbook too when FILE ends with .xlsx), created with mode 0600.
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, parse_as_of, today


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI", help="rekisterin .xlsx-tiedosto / the register")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--student", metavar="OPPILASNUMERO", help="oppilaan numero / the student's id")
    who.add_argument("--email", metavar="OSOITE",
                     help="sähköpostiosoite: kaikki oppilaat ja yhteydenotot tällä osoitteella / "
                          "every student and contact with this address")
    parser.add_argument("--out", type=Path, required=True, metavar="TIEDOSTO.docx|.xlsx",
                        help="vastaus (.docx; .xlsx tekee lisäksi .docx-tiedoston) / the answer file")
    parser.add_argument("--received", type=parse_as_of, default=None, metavar="VVVV-KK-PP",
                        help="pyynnön saapumispäivä (oletus tänään) / the day the request arrived (default today)")
    parser.add_argument("--force", action="store_true", help="korvaa olemassa oleva tiedosto / overwrite")
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
    ar.write_answer(answer, outputs, force=args.force, register=args.register)
    _report(args, answer, outputs)
    return 0


def _report(args, answer, outputs) -> None:
    from toolkit.reports.formats import emit, format_json

    if not answer.sections:
        print("muskari: " + ("no data on this person in the register; the answer says so." if args.lang == "en"
                             else "rekisterissä ei ole tietoja tästä henkilöstä; vastaus kertoo sen."), file=sys.stderr)
    if args.format == "json":
        emit(format_json({"files": [str(p) for p in outputs], "due": answer.due.isoformat(),
                          "rows": {s.sheet: len(s.rows) for s in answer.sections},
                          "documents": [d.path for d in answer.documents]}))
        return
    files = ", ".join(str(p) for p in outputs)
    if args.lang == "en":
        emit(f"Wrote {files}: {answer.row_count} row(s), {len(answer.documents)} document(s). "
             f"Send the answer by {answer.due.isoformat()}.\n")
    else:
        rows = "1 rivi" if answer.row_count == 1 else f"{answer.row_count} riviä"
        docs = "1 asiakirja" if len(answer.documents) == 1 else f"{len(answer.documents)} asiakirjaa"
        emit(f"Kirjoitettu {files}: {rows}, {docs}. "
             f"Lähetä vastaus viimeistään {answer.due.day}.{answer.due.month}.{answer.due.year}.\n")
