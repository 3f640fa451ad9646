"""`muskari init REGISTER`: create an empty register with every sheet, header, dropdown and setting."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-init-register"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.init import create_register
    from toolkit.reports.formats import emit
    from toolkit.reports.new_files import render_created

    counts = create_register(args.register)
    emit(render_created({"register": args.register}, counts, args.format, args.lang))
    from toolkit.model.messages import say

    print(say("init-next", args.lang), file=sys.stderr)
    return 0
