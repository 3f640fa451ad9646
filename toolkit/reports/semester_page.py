"""The semester summary as a page: ``DIR/yhteenveto.html``, opened by a double click on Windows or macOS.

    render_page(summary, "fi")        # summary: toolkit.reports.semester.SemesterSummary

One self-contained HTML file: UTF-8, ``lang`` set, every text escaped (names typed by parents are text, never
markup: ``<img src=http://…>`` or ``![x](http://…)`` shows as typed and loads nothing), the plots by relative
path (``kuvat/…``), the style inline, no script, and a Content-Security-Policy that lets the page load nothing
but local images and its one style block (by its hash), so even a browser that found markup could fetch nothing
from the internet. Black text on white with ruled tables: it prints the same in black and white.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import quote

from toolkit.model.formatting import format_hours
from toolkit.reports.semester import (
    EMAIL_WORDS,
    KINDS,
    STATUS_ORDER,
    STATUS_WORDS,
    SemesterSummary,
    certificates_lead,
    check_sentence,
    decisions,
    forms_note,
    hidden_certificates,
    purge_done,
    purge_lines,
    state_sentence,
    t,
    title,
)

STYLE = """
:root { color-scheme: light; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: #000;
       background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #000; padding-bottom: .15rem; margin-top: 2rem; }
p.state { font-weight: bold; border: 2px solid #000; padding: .5rem .75rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #000; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #e6e6e6; }
td.n { text-align: right; }
code { font-family: Consolas, Menlo, "DejaVu Sans Mono", monospace; font-size: .92em; }
ul { padding-left: 1.4rem; }
li { margin: .15rem 0; }
section.decisions li { font-weight: bold; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #000; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  th { background: none; }
  h2 { break-after: avoid; }
  figure, table, li { break-inside: avoid; }
  @page { margin: 15mm; }
}
""".strip()


def _style_hash() -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")


# nothing but local images and this one style block; no script, no form, no frame, no base ('self' and file:
# are the page's own folder and the computer's files, for browsers that give a local page no origin of its own)
POLICY = f"default-src 'none'; img-src 'self' file:; style-src '{_style_hash()}'; base-uri 'none'; form-action 'none'"


def e(value: object) -> str:
    return escape(str(value), quote=True)


def render_page(summary: SemesterSummary, lang: str = "fi") -> str:
    """The whole page; every value from the register or the owner's files is escaped here."""
    body = [f"<header><h1>{e(title(summary, lang))}</h1>",
            f"<p>{e(t(lang, 'Rekisteri', 'Register'))}: <code>{e(summary.register)}</code></p>",
            f'<p class="state">{e(state_sentence(summary, lang))}</p></header>',
            _section(t(lang, "1. Tarkistus", "1. Check"), f"<p>{e(check_sentence(summary, lang))}</p>"),
            _section(t(lang, "2. Ilmoittautumislomakkeet", "2. Registration forms"), _forms(summary, lang)),
            _section(t(lang, "3. Todistustilanne", "3. Eligibility"), _eligibility(summary, lang)),
            _section(t(lang, "4. Todistukset", "4. Certificates"), _certificates(summary, lang)),
            _section(t(lang, "5. Poistot ja säilytysajat", "5. Purge"), _purge(summary, lang)),
            _section(t(lang, "6. Opettajien listat", "6. Teacher lists"), _lists(summary, lang)),
            _section(t(lang, "7. Sähköpostilistat (piilokopio)", "7. E-mail lists (Bcc)"), _emails(summary, lang)),
            _section(t(lang, "Vaatii päätöksesi", "Needs your decision"), _list(decisions(summary, lang)),
                     "decisions")]
    if summary.images:
        body.append(_section(t(lang, "Kuvat", "Charts"), "\n".join(
            f'<figure><img src="{e(quote(path))}" alt="{e(caption)}"></figure>'
            for path, caption in summary.images)))
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"en" if lang == "en" else "fi"}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(POLICY)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title(summary, lang))}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        ""])


def _section(heading: str, content: str, css_class: str = "") -> str:
    klass = f' class="{css_class}"' if css_class else ""
    return f"<section{klass}>\n<h2>{e(heading)}</h2>\n{content}\n</section>"


def _list(items, *, raw: bool = False) -> str:
    return "<ul>\n" + "\n".join(f"<li>{item if raw else e(item)}</li>" for item in items) + "\n</ul>"


def _table(headers, rows, numeric=()) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    lines = ["".join(f'<td class="n">{e(v)}</td>' if i in numeric else f"<td>{e(v)}</td>" for i, v in enumerate(row))
             for row in rows]
    return f"<table>\n<tr>{head}</tr>\n" + "\n".join(f"<tr>{line}</tr>" for line in lines) + "\n</table>"


def _forms(summary: SemesterSummary, lang: str) -> str:
    forms = summary.forms
    if forms is None:
        return f"<p>{e(t(lang, 'Lomaketiedostoa ei annettu (--forms).', 'No forms file given (--forms).'))}</p>"
    new = _list([f"{p.id} {p.name}" for p in forms.new_students]) if forms.new_students else ""
    changed = _list([f"{p.id} {p.name}: {old} → {new}" for p, old, new in forms.status_changed]) \
        if forms.status_changed else ""
    refused = ", ".join(map(str, forms.refused_rows)) or "-"
    items = [f"{e(t(lang, 'Vastauksia', 'Responses'))}: {forms.responses} (<code>{e(forms.file)}</code>)",
             f"{e(t(lang, 'Uusia oppilaita', 'New students'))}: {len(forms.new_students)}{new}",
             f"{e(t(lang, 'Yhteystietomuutoksia', 'Contact changes'))}: {forms.contact_changes}",
             f"{e(t(lang, 'Tilamuutoksia', 'Status changes'))}: {forms.status_changes}{changed}",
             f"{e(t(lang, 'Hylättyjä vastauksia (rivit)', 'Refused responses (rows)'))}: {len(forms.refused_rows)} "
             f"({e(refused)})"]
    return _list(items, raw=True) + f"\n<p>{e(forms_note(forms, lang))}</p>"


def _eligibility(summary: SemesterSummary, lang: str) -> str:
    headers = [t(lang, "Todistus", "Certificate"), *(t(lang, *STATUS_WORDS[s]) for s in STATUS_ORDER)]
    rows = [[kind, *(summary.eligibility_counts.get((kind, s), 0) for s in STATUS_ORDER)] for kind in KINDS]
    out = _table(headers, rows, numeric=range(1, len(headers)))
    if summary.earned:
        out += (f"\n<p>{e(t(lang, 'Ansaitut (ennen tämän ajon todistuksia):', 'Earned (before this run’s certificates):'))}"
                "</p>\n" + _list([f"{p.id} {p.name}: {kind}, {format_hours(hours, lang)}"
                                  for p, kind, hours in summary.earned]))
    return out


def _certificates(summary: SemesterSummary, lang: str) -> str:
    part = summary.certificates
    if part is None:
        return f"<p>{e(t(lang, 'Ei erääntyneitä todistuksia.', 'No certificates due.'))}</p>"
    items = [f"{number} {p.id} {p.name}: {kind}" for number, p, kind in part.listed]
    if part.hidden:
        items.append(hidden_certificates(part, lang))
    out = f"<p>{e(certificates_lead(part, lang))} <code>{e(part.out_dir)}</code>:</p>\n" + _list(items)
    if part.missing_settings:
        out += (f"\n<p>{e(t(lang, 'Täytä ennen --apply-ajoa Asetukset-välilehdelle: ', 'Before --apply fill in on Asetukset: '))}"
                f"{e(', '.join(part.missing_settings))}</p>")
    return out


def _purge(summary: SemesterSummary, lang: str) -> str:
    if not summary.purge.counts:
        return f"<p>{e(t(lang, 'Säilytysajat ja poistopyynnöt eivät vaadi mitään.', 'Nothing is due.'))}</p>"
    out = _list(purge_lines(summary.purge, lang))
    return out + (f"\n<p>{e(purge_done(summary.purge, lang))}</p>" if summary.purge.done else "")


def _lists(summary: SemesterSummary, lang: str) -> str:
    intro = f"<p>{e(t(lang, 'Kukin opettaja saa vain oman tiedostonsa:', 'Each teacher gets only their own file:'))}</p>"
    headers = [t(lang, "Opettaja", "Teacher"), t(lang, "Tiedosto", "File"), t(lang, "Oppilaat", "Students"),
               t(lang, "Oppilasnumerot", "Student ids")]
    rows = [[x.teacher, x.file, len(x.student_ids), ", ".join(x.student_ids)] for x in summary.teacher_lists]
    return intro + "\n" + _table(headers, rows, numeric=(2,))


def _emails(summary: SemesterSummary, lang: str) -> str:
    items = [f"<code>{e(x.file)}</code> ({e(t(lang, *EMAIL_WORDS[x.purpose]))}): {x.count} "
             f"{e(t(lang, 'osoitetta', 'addresses'))}" for x in summary.emails]
    note = t(lang, "Liitä lista viestin Piilokopio-kenttään (Bcc), ei koskaan Vastaanottaja-kenttään.",
             "Paste a list into the Bcc field of the message, never into To.")
    return _list(items, raw=True) + f"\n<p>{e(note)}</p>"
