"""`muskari init REGISTER`: create an empty register with every sheet, header, dropdown and setting."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli import add_common_options


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI",
                        help="uuden rekisterin .xlsx-tiedosto; olemassa olevaa ei korvata / the new register")
    add_common_options(parser)


def run(args) -> int:
    from toolkit.workbook_new import check_target, new_workbook, print_created, row_counts, save_new

    check_target(args.register)          # refuse before building anything
    workbook = new_workbook()
    save_new(workbook, args.register)
    print_created({"register": args.register}, row_counts(workbook), args.format, args.lang)
    print("Open it in Excel and read the Ohje sheet first." if args.lang == "en" else
          "Avaa rekisteri Excelissä ja lue ensin Ohje-välilehti.", file=sys.stderr)
    return 0
