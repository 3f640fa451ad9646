"""`muskari restore BACKUP --to PATH [--force]`: decrypt a backup and replay every recorded erasure.

The backup is unpacked into a hidden folder beside PATH; the erasures recorded in the user's
configuration folder (keyed hashes of the erased ids) are carried out on that copy; only then are the
register and its documents moved into place. A wrong password is exit 3.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken


def configure(parser) -> None:
    parser.add_argument("backup", type=Path, metavar=spoken("metavar-backup"), help=spoken("help-restore-backup"))
    parser.add_argument("--to", type=Path, required=True, metavar=spoken("metavar-path"), help=spoken("help-restore-to"))
    parser.add_argument("--force", action="store_true", help=spoken("help-restore-force"))
    add_common_options(parser, formats=("table", "json"))


def run(args) -> int:
    from toolkit.jobs.backup import read_password
    from toolkit.jobs.restore import replay_recorded_erasures, restore_backup

    password = read_password(confirm=False, lang=args.lang)
    done = restore_backup(args.backup, args.to, password, force=args.force,
                          replay=lambda staged: replay_recorded_erasures(staged, today(args)))
    if done.skipped:
        import sys

        from toolkit.model.messages import say_count

        print("muskari: " + say_count("restore-skipped", args.lang, len(done.skipped),
                                      paths=", ".join(done.skipped[:5]) + (" …" if len(done.skipped) > 5 else "")),
              file=sys.stderr)
    _report(args, done)
    return 0


def _report(args, done) -> None:
    from toolkit.reports.formats import emit, format_json

    erased = getattr(done.replayed, "erased", 0)
    if args.format == "json":
        emit(format_json({"register": str(done.register), "documents": [str(p) for p in done.documents],
                          "skipped": done.skipped,
                          "erasures_replayed": erased, "previous": str(done.previous) if done.previous else None}))
        return
    from toolkit.model.messages import counted, say

    lines = [say("restore-done", args.lang, register=done.register,
                 documents=counted("restore-n-documents", len(done.documents)), erased=erased)]
    if done.previous:
        lines.append(say("restore-previous-kept", args.lang, path=done.previous))
    lines.append(say("restore-next", args.lang, register=done.register))
    emit("".join(line + "\n" for line in lines))
