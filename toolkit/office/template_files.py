"""Where certificate templates come from: the owner's restyled copies in `todistuspohjat/` beside the
register, kind by kind, else the toolkit's own (package data ``toolkit.templates``).

    templates, notices = load_templates(register_path, ["päättötodistus", "muskaritodistus"])

A kind missing from `todistuspohjat/` falls back to the toolkit's own template and says so (restyling one
kind never breaks the others). File names are matched as a person reads them: a name saved on a Mac
(decomposed letters, NFD) or with other capitals is the same name. A final-certificate template that
lacks an item every final certificate must show (domain.md) is used, with a warning naming the items.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from toolkit.model import folders
from toolkit.model.errors import TemplateProblem
from toolkit.model.messages import say
from toolkit.office.docx_templates import CheckedTemplate, load_template
from toolkit.rules.certificate_context import TEMPLATE_FILES, missing_final_items
from workbook_schema.choices import FINAL


def _templates_dir() -> Path:
    """The toolkit's own templates: package data ``toolkit.templates`` (``templates/`` of the source tree), found
    the same way in an editable install, a wheel, pipx or ``pip install --user``."""
    return Path(str(files("toolkit.templates")))


TEMPLATES_DIR = _templates_dir()
OWN_TEMPLATES = folders.OWN_TEMPLATES     # beside the register: the owner's restyled templates, used when present


@dataclass(frozen=True)
class Notice:
    """Something the owner should know about the templates: a catalogue code and its words (a tuple of
    codes is said as a list of phrases)."""

    code: str
    words: dict = field(default_factory=dict)

    def text(self, lang: str = "fi") -> str:
        words = {k: ", ".join(say(c, lang) for c in v) if isinstance(v, tuple) else v for k, v in self.words.items()}
        return say(self.code, lang, **words)


def load_templates(register_path, kinds, templates_dir: Path | None = None
                   ) -> tuple[dict[str, CheckedTemplate], list[Notice]]:
    """Check every template the kinds need (TemplateProblem, exit 3, for a bad one); the notices say which
    kinds fell back to the toolkit's own template and what a final certificate's template lacks."""
    folder = Path(templates_dir) if templates_dir is not None else owner_folder(register_path)
    templates, notices = {}, []
    for kind in dict.fromkeys(kinds):
        file_name = TEMPLATE_FILES[kind]
        path = find_template(folder, file_name) if folder.is_dir() else None
        if path is None:
            if folder.is_dir():
                notices.append(Notice("template-fallback", {"folder": folder.name, "file": file_name}))
            path = find_template(TEMPLATES_DIR, file_name) or TEMPLATES_DIR / file_name
        template = load_template(path)
        templates[kind] = template
        if kind == FINAL:
            missing = missing_final_items(template.variables, template.fields, template.text)
            if missing:
                notices.append(Notice("template-missing-items", {"template": path.name, "items": tuple(missing)}))
    return templates, notices


def owner_folder(register_path) -> Path:
    """`todistuspohjat/` beside the register (it may not exist)."""
    return Path(register_path).resolve().parent / OWN_TEMPLATES


def templates_folder(register_path) -> Path:
    """`todistuspohjat/` beside the register when the owner has one, else the toolkit's own templates."""
    own = owner_folder(register_path)
    return own if own.is_dir() else TEMPLATES_DIR


def _same(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def find_template(folder: Path, file_name: str) -> Path | None:
    """The file of `folder` named `file_name` as a person reads it (NFC or NFD, any capitals); None when there
    is none; TemplateProblem when several files would answer (on Linux an NFC and an NFD name are two files)."""
    wanted = _same(file_name)
    found = sorted(p for p in folder.iterdir()
                   if _same(p.name) == wanted and not p.name.startswith(("~$", ".")) and p.is_file())
    if len(found) > 1:
        raise TemplateProblem("template-ambiguous-name", folder=folder, file=file_name,
                              names=", ".join(repr(p.name) for p in found))
    return found[0] if found else None
