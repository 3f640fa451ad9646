"""`muskari emails REGISTER [--teacher NAME] [--status S] [--purpose P] [--eml FILE --subject S --body-file B]`:
a BCC address list, or an unsent draft with the school in To and every family only in Bcc."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, today
from workbook_schema.choices import STATUS


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI", help="rekisterin .xlsx-tiedosto / the register")
    parser.add_argument("--purpose", choices=("registration", "muskari-ended", "all"), default="registration",
                        help="registration = aktiiviset ja tauolla olevat (oletus); muskari-ended = perheet, joilta "
                             "kysytään poistosta; all = kaikki, joilla on osoite")
    parser.add_argument("--teacher", metavar="NIMI", help="vain tämän opettajan oppilaat / only this teacher's students")
    parser.add_argument("--status", choices=STATUS, action="append", metavar="TILA",
                        help="vain tämä tila (voi toistaa) / only this status (repeatable)")
    parser.add_argument("--eml", type=Path, metavar="TIEDOSTO.eml",
                        help="kirjoita lähettämätön viestiluonnos / write an unsent draft message")
    parser.add_argument("--subject", metavar="AIHE", help="luonnoksen aihe (--eml) / the draft's subject")
    parser.add_argument("--body-file", type=Path, metavar="TEKSTI.txt",
                        help="luonnoksen teksti UTF-8-tiedostosta (--eml) / the draft's text")
    parser.add_argument("--force", action="store_true",
                        help="korvaa olemassa oleva luonnos (ei koskaan rekisteriä) / replace an existing draft")
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.check import load_checked
    from toolkit.jobs.emails import collect_addresses, print_invalid, render_addresses, write_draft
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit

    if args.eml and not (args.subject and args.body_file):
        print("muskari emails: --eml tarvitsee myös --subject ja --body-file / --eml needs --subject and --body-file",
              file=sys.stderr)
        return 2
    _register, result = load_checked(args.register, today(args))
    if not result.ok:
        return refuse_with_findings(result.findings, args.lang)
    addresses = collect_addresses(result.tables, today(args), args.purpose, args.status, args.teacher)
    print_invalid(addresses, args.lang)
    if args.eml:
        note = write_draft(args.eml, result.tables, addresses, args.subject, args.body_file, args.lang,
                           register=args.register, force=args.force)
        print(note, file=sys.stderr)
        return 0
    emit(render_addresses(addresses, args.format, args.lang))
    return 0
