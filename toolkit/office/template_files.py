"""Where certificate templates come from: the owner's restyled copies in `todistuspohjat/` beside the
register, else the toolkit's own (package data ``toolkit.templates``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from toolkit.model import folders
from toolkit.office.docx_templates import load_template, make_environment
from toolkit.rules.certificate_context import TEMPLATE_FILES


def _templates_dir() -> Path:
    """The toolkit's own templates: package data ``toolkit.templates`` (``templates/`` of the source tree), found
    the same way in an editable install, a wheel, pipx or ``pip install --user``."""
    return Path(str(files("toolkit.templates")))


TEMPLATES_DIR = _templates_dir()
OWN_TEMPLATES = folders.OWN_TEMPLATES     # beside the register: the owner's restyled templates, used when present


def load_templates(register_path, kinds, templates_dir: Path | None = None) -> dict:
    """Check and compile the template of each kind (TemplateProblem, exit 3, for a bad one)."""
    env = make_environment()
    folder = templates_dir or templates_folder(register_path)
    return {kind: load_template(folder / TEMPLATE_FILES[kind], env) for kind in dict.fromkeys(kinds)}


def templates_folder(register_path) -> Path:
    """`todistuspohjat/` beside the register when the owner has one (restyled copies of the
    templates), else the toolkit's own `templates/`."""
    own = Path(register_path).resolve().parent / OWN_TEMPLATES
    return own if own.is_dir() else TEMPLATES_DIR
