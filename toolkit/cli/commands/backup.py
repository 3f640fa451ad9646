"""`muskari backup REGISTER --to DIR [--with-documents]`: an AES-256 encrypted copy; expired backups removed.

The password comes from MUSKARI_BACKUP_PASSWORD or is asked twice at the terminal, never from the
command line. The register must be readable (its settings give the retention); a register with
errors is backed up all the same, with a warning: a backup is most needed when something is wrong.
The command ends by saying where the toolkit's configuration folder is and why it belongs with the
backups (a restore replays erasures from its key and erased-ids list; JSON key ``config_folder``).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path, PurePosixPath

from toolkit.cli.options import add_common_options, today
from toolkit.cli.parser import spoken
from toolkit.model.messages import counted, say, say_count, say_each


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar=spoken("metavar-register"), help=spoken("help-register"))
    parser.add_argument("--to", type=Path, required=True, metavar=spoken("metavar-folder"), help=spoken("help-backup-to"))
    parser.add_argument("--with-documents", action="store_true", help=spoken("help-backup-with-documents"))
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs import backup
    from toolkit.jobs.check import load_checked

    register, result = load_checked(args.register, today(args))
    if not result.ok:
        _warn(say("backup-register-has-errors", args.lang))
    password = backup.read_password(confirm=True, lang=args.lang)
    documents = []
    if args.with_documents:
        named = [f for f in result.tables.certificates["file"] if isinstance(f, str) and f.strip()]
        documents = backup.document_files(register.path, named)
        missing = len({backup.safe_relative(f) for f in named} - {PurePosixPath(rel) for _p, rel in documents})
        if missing:
            _warn(say_count("backup-documents-missing", args.lang, missing))
    made = backup.create_backup(register.path, args.to, password, datetime.now(), documents)
    keep = result.settings.backup_days
    expired = [b for b in backup.expired_backups(backup.list_encrypted_backups(args.to, register.path.stem), today(args), keep)
               if b.path != made.path]
    for old in expired:
        old.path.unlink(missing_ok=True)
    _report(args, made, expired, keep)
    _config_folder_note(args.lang)
    return 0


def _config_folder_note(lang: str) -> None:
    from toolkit.system.config import KEY_FILE, config_dir

    folder = config_dir()
    code = "backup-config-folder" if (folder / KEY_FILE).exists() else "backup-config-folder-empty"
    print("muskari: " + say(code, lang, path=folder), file=sys.stderr)


def _warn(text: str) -> None:
    print("muskari: " + text, file=sys.stderr)


def _report(args, made, expired, keep: int) -> None:
    from toolkit.reports.formats import emit, format_csv, format_json, format_table

    if args.format == "json":
        from toolkit.system.config import config_dir

        emit(format_json({"backup": str(made.path), "files": made.files, "bytes": made.bytes, "keep_days": keep,
                          "deleted": [{"path": str(b.path), "created": b.created.isoformat()} for b in expired],
                          "config_folder": str(config_dir())}))
        return
    headers = say_each(("heading-file", "heading-made", "heading-action"), args.lang)
    rows = [(str(made.path), _shown(made.created),
             say("backup-written", args.lang, files=counted("backup-n-files", made.files)))]
    rows += [(str(b.path), _shown(b.created), say("backup-expired-deleted", args.lang, days=counted("purge-n-days", keep)))
             for b in expired]
    emit(format_csv(rows, headers) if args.format == "csv" else format_table(rows, headers))


def _shown(moment) -> str:
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H.%M}"
