"""`muskari check REGISTER [--annotate OUT]`: validate the register."""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI", help="rekisterin .xlsx-tiedosto / the register")
    parser.add_argument("--annotate", type=Path, metavar="KOPIO.xlsx",
                        help="kirjoita kopio, jossa virheelliset solut on merkitty / write an annotated copy")
    parser.add_argument("--force", action="store_true",
                        help="korvaa olemassa oleva kopio (ei koskaan rekisteriä) / replace an existing copy")
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
