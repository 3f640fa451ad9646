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

from toolkit.model.messages import say
from toolkit.reports.semester import (
    Code,
    Items,
    Para,
    SemesterSummary,
    Table,
    document,
    state_sentence,
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
    """The whole page: the summary's layout (``toolkit.reports.semester.document``, the same the terminal's text
    renders); every value from the register or the owner's files is escaped here."""
    body = [f"<header><h1>{e(title(summary, lang))}</h1>",
            f"<p>{e(say('semester-register', lang))}: <code>{e(summary.register)}</code></p>",
            f'<p class="state">{e(state_sentence(summary, lang))}</p></header>']
    for section in document(summary, lang):
        blocks = [_block(b) for b in section.blocks]
        if section.key == "charts" and summary.images:
            blocks.append("\n".join(f'<figure><img src="{e(quote(path))}" alt="{e(caption)}"></figure>'
                                     for path, caption in summary.images))
        body.append(_section(section.heading, "\n".join(blocks), section.key))
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


def _inline(parts) -> str:
    return "".join(f"<code>{e(p.text)}</code>" if isinstance(p, Code) else e(p) for p in parts)


def _block(block) -> str:
    if isinstance(block, Para):
        return f"<p>{_inline(block.parts)}</p>"
    if isinstance(block, Items):
        items = []
        for parts, subs in block.items:
            inner = ("\n<ul>\n" + "\n".join(f"<li>{_inline(sub)}</li>" for sub in subs) + "\n</ul>") if subs else ""
            items.append(f"<li>{_inline(parts)}{inner}</li>")
        return "<ul>\n" + "\n".join(items) + "\n</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{e(h)}</th>" for h in block.headers)
        rows = ["".join(f'<td class="n">{_inline((v,))}</td>' if i in block.numeric else f"<td>{_inline((v,))}</td>"
                        for i, v in enumerate(row)) for row in block.rows]
        return f"<table>\n<tr>{head}</tr>\n" + "\n".join(f"<tr>{row}</tr>" for row in rows) + "\n</table>"
    raise TypeError(block)
