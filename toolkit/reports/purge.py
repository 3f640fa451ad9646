"""The purge report for people (a table per rule, in words) and for scripts (JSON with the codes, CSV).

    text = render_purge(plan, done, fmt="table", lang="fi")    # done: the ApplyResult after --apply, else None

Every sentence says what happened: "ei muutoksia: rekisteriä ei kirjoitettu" when nothing was written, that
no trace remains only when people were erased and the search found nothing of them anywhere it looked;
counts in good Finnish (1 tiedosto, 2 tiedostoa). The table shows the rules and actions in words; the
JSON keeps the codes (contract.md "JSON output"), with ``remnants`` after ``--apply``.
"""

from __future__ import annotations

from toolkit.model.messages import say, say_count, say_each
from toolkit.reports.formats import format_csv, format_json, format_table
from toolkit.rules.purge import action_label, bcc_list, count_by_rule, rule_label

HEADINGS = ("heading-action", "heading-sheet", "heading-row", "heading-student-id", "heading-name",
            "heading-explanation")
CSV_HEADERS = ("rule", "action", "sheet", "row", "student_id", "message")


def render_purge(plan, done=None, fmt: str = "table", lang: str = "fi", applying: bool = False) -> str:
    """``applying``: --apply was given (``done`` is None then only when nothing was carried out)."""
    actions = plan.actions
    if fmt == "csv":
        return format_csv([(a.rule, a.action, a.sheet, a.row, a.student_id, a.message(lang)) for a in actions],
                          CSV_HEADERS)
    if fmt == "json":
        return format_json(purge_json(plan, done, lang, applying))
    return _table(plan, done, lang, applying)


def purge_json(plan, done, lang: str = "fi", applying: bool = False) -> dict:
    actions = plan.actions
    data = {"as_of": plan.today.isoformat(), "actions": [a.to_dict(lang) for a in actions],
            "counts": count_by_rule(actions), "bcc": bcc_list(actions), "applied": applying or done is not None}
    if applying or done is not None:
        data.update(changed=False, backup=None, files_deleted=0, scan=None, remnants=[], unchecked=[],
                    traceless=False)
    if done is not None:
        scan = done.scan
        data.update(changed=done.changed, backup=str(done.backup_path) if done.backup_path else None,
                    files_deleted=done.files_deleted,
                    scan={"places": done.places, "skipped_values": scan.skipped_needles} if scan else None,
                    remnants=list(done.remnants), unchecked=list(done.unchecked), traceless=done.traceless,
                    deleted={"documents": done.documents_deleted, "outputs": done.outputs_deleted,
                             "backups": done.backups_deleted, "versions": done.versions_deleted},
                    versions_erased=done.versions_erased, documents_not_deleted=done.documents_not_deleted,
                    remnant_note=say("purge-report-remnants", lang) if done.remnants else None)
    return data


def _table(plan, done, lang: str, applying: bool) -> str:
    names = {r: f"{f} {s}" for r, f, s in zip(plan.result.tables.students["row"],
                                             plan.result.tables.students["first_name"],
                                             plan.result.tables.students["last_name"], strict=True)}
    out = []
    for rule, count in count_by_rule(plan.actions).items():
        members = [a for a in plan.actions if a.rule == rule]
        rows = [(action_label(a.action, lang), a.sheet or "", a.row or "", a.student_id or "",
                 names.get(a.row, "") if a.sheet == "Oppilaat" else "", a.message(lang)) for a in members]
        out.append(f"{rule_label(rule, lang)} ({count})\n" + format_table(rows, say_each(HEADINGS, lang)))
        if rule == "muskari-ended":
            out.append(say("purge-report-bcc", lang, addresses=bcc_list(members) or "–") + "\n")
        out.append("\n")
    out += [line + "\n" for line in _closing(plan, done, lang, applying)]
    return "".join(out)


def _closing(plan, done, lang: str, applying: bool) -> list[str]:
    if not plan.actions:
        lines = [say("purge-report-nothing", lang)]
        return lines + ([say("purge-report-not-written", lang)] if applying else [])
    if done is None:
        if not applying and plan.to_apply:
            return [say("purge-report-dry-run", lang)]
        return [say("purge-report-left-to-you", lang), say("purge-report-not-written", lang)]
    return _done_lines(done, lang)


def _done_lines(done, lang: str) -> list[str]:
    lines = [say("purge-report-done", lang, actions=say_count("purge-n-actions", lang, len(done.applied)),
                 backup=str(done.backup_path))]
    for code, paths in (("purge-report-documents", done.documents_deleted),
                        ("purge-report-outputs", done.outputs_deleted),
                        ("purge-report-backups", done.backups_deleted),
                        ("purge-report-versions-erased", done.versions_erased),
                        ("purge-report-versions-deleted", done.versions_deleted)):
        if paths:
            lines.append(say_count(code, lang, len(paths)) + _listed(paths))
    if done.documents_not_deleted:
        lines.append(say("purge-report-not-deleted", lang) + _listed(done.documents_not_deleted))
    if done.remnants:
        lines.append(say("purge-report-remnants", lang) + _listed(done.remnants))
    if done.unchecked:
        lines.append(say("purge-report-unchecked", lang) + _listed(done.unchecked))
    if done.people:
        skipped = done.scan.skipped_needles if done.scan else 0
        note = (" " + say_count("purge-report-skipped", lang, skipped)) if skipped else ""
        places = say_count("purge-n-places", lang, done.places)
        code = "purge-report-traceless" if done.traceless else "purge-report-traces-named"
        lines.append(say(code, lang, places=places) + note)
    return lines


def _listed(paths) -> str:
    return "".join(f"\n  - {p}" for p in paths)
