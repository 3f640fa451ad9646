"""`muskari purge REGISTER [--apply] [--scan DIR]...`: what retention and deletion requests require.

Without --apply it lists every action, grouped by rule and counted, with the families' BCC list for
the `ask` actions, and changes nothing. With --apply it carries them out (`toolkit.jobs.purge`): the
erasure reaches the register, its earlier versions, the certificate documents and every file under the
register's folder (and each --scan folder); the toolkit's own files are deleted or erased, the owner's
files that still hold a value are named (`remnants`). A hit in the register itself is exit 3 and nothing
changes.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--apply", action="store_true", help=spoken("help-purge-apply"))
    parser.add_argument("--scan", type=Path, action="append", default=[], metavar=spoken("metavar-folder"),
                        help=spoken("help-purge-scan"))
    add_common_options(parser)


def run(args) -> int:
    from datetime import datetime

    from toolkit.jobs.purge import apply_purge, plan_purge
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit
    from toolkit.reports.purge import render_purge
    from toolkit.xlsx.lock import register_lock

    _check_scan_folders(args.scan)
    with register_lock(args.register, enabled=args.apply):     # from the first read to the replace
        plan = plan_purge(args.register, today(args))
        if not plan.result.ok:
            return refuse_with_findings(plan.result.findings, args.lang, args.format)
        done = None
        if args.apply and plan.to_apply:
            done = apply_purge(plan, now=datetime.now(), extra_folders=args.scan)
    emit(render_purge(plan, done, args.format, args.lang, applying=args.apply))
    return 0


def _check_scan_folders(folders) -> None:
    from toolkit.model.errors import Refused

    for folder in folders:
        if not folder.is_dir():
            raise Refused("purge-scan-folder-missing", folder=str(folder))
