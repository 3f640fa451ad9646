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


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI", help="rekisterin .xlsx-tiedosto / the register")
    parser.add_argument("--to", type=Path, required=True, metavar="KANSIO",
                        help="kansio, esimerkiksi muistitikku / the folder, e.g. a memory stick")
    parser.add_argument("--with-documents", action="store_true",
                        help="mukaan todistukset (kansio todistukset/ ja Todistukset-välilehden tiedostot) / "
                             "include the certificate documents")
    add_common_options(parser)


def run(args) -> int:
    from toolkit.jobs import backup
    from toolkit.jobs.check import load_checked

    en = args.lang == "en"
    register, result = load_checked(args.register, today(args))
    if not result.ok:
        _warn(en, "the register has errors; it is backed up all the same (see muskari check).",
              "rekisterissä on virheitä; varmuuskopio tehdään silti (katso muskari check).")
    password = backup.read_password(confirm=True)
    documents = []
    if args.with_documents:
        named = [f for f in result.tables.certificates["file"] if isinstance(f, str) and f.strip()]
        documents = backup.document_files(register.path, named)
        missing = len({backup.safe_relative(f) for f in named} - {PurePosixPath(rel) for _p, rel in documents})
        if missing:
            _warn(en, f"{missing} document(s) named in Todistukset are missing or outside the register's folder "
                      "and are not in the backup.",
                  f"{missing} Todistukset-välilehden asiakirjaa puuttuu tai on rekisterin kansion ulkopuolella, "
                  "joten ne eivät ole varmuuskopiossa.")
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
    from toolkit.model.messages import say
    from toolkit.system.config import KEY_FILE, config_dir

    folder = config_dir()
    code = "backup-config-folder" if (folder / KEY_FILE).exists() else "backup-config-folder-empty"
    print("muskari: " + say(code, lang, path=folder), file=sys.stderr)


def _warn(en: bool, english: str, finnish: str) -> None:
    print("muskari: " + (english if en else finnish), file=sys.stderr)


def _report(args, made, expired, keep: int) -> None:
    from toolkit.reports.formats import emit, format_csv, format_json, format_table

    if args.format == "json":
        from toolkit.system.config import config_dir

        emit(format_json({"backup": str(made.path), "files": made.files, "bytes": made.bytes, "keep_days": keep,
                          "deleted": [{"path": str(b.path), "created": b.created.isoformat()} for b in expired],
                          "config_folder": str(config_dir())}))
        return
    en = args.lang == "en"
    headers = ("File", "Made", "Action") if en else ("Tiedosto", "Tehty", "Toimenpide")
    files = (f"{made.files} file" + ("s" if made.files != 1 else "")) if en else \
        (f"{made.files} tiedosto" + ("a" if made.files != 1 else ""))
    rows = [(str(made.path), _shown(made.created),
             f"written and verified, {files}" if en else f"kirjoitettu ja tarkistettu, {files}")]
    rows += [(str(b.path), _shown(b.created),
              f"deleted: older than {keep} days" if en else f"poistettu: vanhempi kuin {keep} päivää") for b in expired]
    emit(format_csv(rows, headers) if args.format == "csv" else format_table(rows, headers))


def _shown(moment) -> str:
    return f"{moment.day}.{moment.month}.{moment.year} {moment:%H.%M}"
