"""`muskari purge REGISTER [--apply] [--scan DIR]...`: what retention and deletion requests require.

Without --apply it lists every action, grouped by rule and counted, with the families' BCC list for
the `ask` actions, and changes nothing. With --apply it carries them out (`toolkit.jobs.purge`): the
erasure is proven by a scan of the new workbook, the certificate folder and every --scan folder
before the new register replaces the old one; a hit is exit 3 and nothing changes.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.cli.options import add_common_options, today

HEADERS = {"fi": ("Toimenpide", "Välilehti", "Rivi", "Oppilasnumero", "Nimi", "Selitys"),
           "en": ("Action", "Sheet", "Row", "Student", "Name", "Explanation")}
CSV_HEADERS = ("rule", "action", "sheet", "row", "student_id", "message")


def configure(parser) -> None:
    parser.add_argument("register", type=Path, metavar="REKISTERI", help="rekisterin .xlsx-tiedosto / the register")
    parser.add_argument("--apply", action="store_true", help="tee poistot / carry the actions out")
    parser.add_argument("--scan", type=Path, action="append", default=[], metavar="KANSIO",
                        help="tarkista myös tämä vientikansio (opettajalistat ym.) / also scan this export folder")
    add_common_options(parser)


def run(args) -> int:
    from datetime import datetime

    from toolkit.jobs.purge import apply_purge, plan_purge
    from toolkit.reports.findings import refuse_with_findings
    from toolkit.reports.formats import emit

    _check_scan_folders(args.scan)
    plan = plan_purge(args.register, today(args))
    if not plan.result.ok:
        return refuse_with_findings(plan.result.findings, args.lang, args.format)
    done = apply_purge(plan, now=datetime.now(), extra_folders=args.scan) if args.apply else None
    emit(render(plan, done, args.format, args.lang))
    return 0


def _check_scan_folders(folders) -> None:
    from toolkit.model.errors import Refused

    for folder in folders:
        if not folder.is_dir():
            raise Refused(f"Tarkistettavaa kansiota {folder} ei löydy. Tarkista polku.",
                          f"The folder to scan, {folder}, does not exist. Check the path.")


def render(plan, done=None, fmt: str = "table", lang: str = "fi") -> str:
    from toolkit.reports.formats import format_csv, format_json
    from toolkit.rules.purge import bcc_list, count_by_rule

    actions = plan.actions
    if fmt == "csv":
        return format_csv([(a.rule, a.action, a.sheet, a.row, a.student_id, a.message(lang)) for a in actions],
                          CSV_HEADERS)
    if fmt == "json":
        data = {"as_of": plan.today.isoformat(), "actions": [a.to_dict(lang) for a in actions],
                "counts": count_by_rule(actions), "bcc": bcc_list(actions), "applied": done is not None}
        if done is not None:
            data.update(changed=done.changed, backup=str(done.backup_path) if done.backup_path else None,
                        files_deleted=done.files_deleted,
                        scan={"places": done.scan.places, "skipped_values": done.scan.skipped_needles}
                        if done.scan else None)
        return format_json(data)
    return _table(plan, done, lang)


def _table(plan, done, lang: str) -> str:
    from toolkit.reports.formats import format_table
    from toolkit.rules.purge import RULE_LABELS, bcc_list, count_by_rule

    en = lang == "en"
    names = {r: f"{f} {s}" for r, f, s in zip(plan.result.tables.students["row"], plan.result.tables.students["first_name"],
                                             plan.result.tables.students["last_name"], strict=True)}
    out = []
    for rule, count in count_by_rule(plan.actions).items():
        members = [a for a in plan.actions if a.rule == rule]
        rows = [(a.action, a.sheet or "", a.row or "", a.student_id or "",
                 names.get(a.row, "") if a.sheet == "Oppilaat" else "", a.message(lang)) for a in members]
        out.append(f"{rule} – {RULE_LABELS[rule][1 if en else 0]} ({count})\n" + format_table(rows, HEADERS[lang]))
        if rule == "muskari-ended":
            out.append(("BCC: " if en else "Piilokopio (BCC): ") + (bcc_list(members) or "–") + "\n")
        out.append("\n")
    if not plan.actions:
        out.append("Nothing to do.\n" if en else "Ei toimenpiteitä: säilytysajat ja poistopyynnöt eivät vaadi nyt mitään.\n")
    elif done is None:
        out.append("Nothing was changed; run again with --apply to carry the actions out (ask: nothing is deleted).\n"
                   if en else "Mitään ei muutettu. Aja uudelleen valinnalla --apply, niin toimenpiteet tehdään "
                              "(ask-rivit vain kysytään perheeltä).\n")
    elif not done.changed:
        out.append("Nothing to change; the register was not written.\n" if en
                   else "Ei muutettavaa; rekisteriä ei kirjoitettu.\n")
    else:
        out.append(_done_line(done, en))
    return "".join(out)


def _done_line(done, en: bool) -> str:
    scan = done.scan
    if en:
        return (f"Done: {len(done.applied)} action(s), {done.files_deleted} file(s) deleted. The erasure scan "
                f"searched {scan.places} places and found nothing left ({scan.skipped_needles} value(s) kept by "
                f"others were not searched). Previous version: {done.backup_path}\n")
    return (f"Tehty: {len(done.applied)} toimenpidettä, {done.files_deleted} tiedostoa poistettu. Poiston tarkistus "
            f"kävi läpi {scan.places} kohtaa eikä löytänyt jäänteitä ({scan.skipped_needles} arvoa, jotka on myös "
            f"toisella henkilöllä, jätettiin hakematta). Edellinen versio: {done.backup_path}\n")
