"""`muskari demo DIR`: a synthetic demo register (DIR/rekisteri.xlsx) and semester forms (DIR/ilmoittautumiset.csv)."""

from __future__ import annotations

import sys
from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken
from toolkit.model import folders


def configure(parser) -> None:
    parser.add_argument("folder", type=Path, metavar=spoken("metavar-folder"), help=spoken("help-demo-folder"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs.demo import write_demo
    from toolkit.reports.formats import emit
    from toolkit.reports.new_files import render_created

    files, counts = write_demo(args.folder, today(args))
    emit(render_created(files, counts, args.format, args.lang))
    from toolkit.model.messages import say

    print(say("demo-next", args.lang, register=files["register"], out=args.folder / folders.SEMESTER,
              forms=files["forms"]), file=sys.stderr)
    return 0
