"""Word certificates: checked templates rendered by docxtpl's own render, one document at a time.

    template = load_template(Path("templates/päättötodistus.docx"))    # checks; TemplateProblem if bad
    data = render_docx(template, context)                               # bytes of one .docx
    render_documents({"päättötodistus": template}, jobs, progress=...)  # a batch (processes when big)

Each document is docxtpl's `DocxTemplate.render` + `save` on the template's bytes, so every part docxtpl
fills is filled: the body, every header and footer, the footnotes and the core properties title, subject,
author, comments, identifier and language. A tag anywhere else (custom properties, endnotes, comments,
keywords, ...) would print as typed, so such a template is refused naming the part and the tag. Two
small additions to docxtpl's render, in _Certificate: the properties are plain text, so they render in a
non-escaping twin of the environment (docxtpl would write `&amp;` into the title), and each filled XML
part is parsed strictly (docxtpl re-parses with recovery, which would silently drop what broke the XML).

The environment (toolkit.office.template_sandbox) is Jinja's immutable sandbox with autoescape, strict
undefined variables, no globals and limits on sizes, steps, output and time; it keeps the compiled code
of each part, so a batch compiles a template once.

Before a batch each template is checked (toolkit.office.template_package for the package): sizes, no DTD
in any part, Word's curly quotes inside a tag, a tag split across runs with different formatting, a tag
left open in its paragraph, no tag in a part docxtpl does not fill, Jinja syntax, include/import/extends,
variables outside CONTEXT_VARIABLES, and finally a trial render with a sample context (misspelt fields
such as `opinto.nimii`, Python internals, the limits). Every refusal names the template and the tag.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from toolkit.model.errors import TemplateProblem
from toolkit.office.template_package import (
    CORE_FILLED,
    CORE_PART,
    TAG,
    check_closed,
    check_tag,
    core_fields,
    parser,
    problem,
    read_package,
    refuse_unfilled_tags,
    scan_tags,
    short,
)
from toolkit.office.template_sandbox import XML_ILLEGAL, Limits, TemplateLimit, budget, make_environment
from toolkit.system.private_files import create_private

__all__ = ["XML_ILLEGAL", "CheckedTemplate", "Limits", "document_text", "load_template", "make_environment",
           "render_docx", "render_documents"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Below this many documents one process is faster: a document takes about 20 ms, while starting the
# spawned workers (a fresh interpreter importing docxtpl, lxml and python-docx) takes about a second on
# this busy 2-core machine (benchmarks/bench_certificates.py --workers 2).
PARALLEL_MIN = 200


@dataclass(frozen=True)
class CheckedTemplate:
    """A template that passed every check: its bytes (rendered as they are) and what it uses."""

    name: str
    path: Path
    data: bytes = field(repr=False)
    variables: frozenset[str]              # the context variables it uses
    fields: frozenset[str]                 # the fields it reads from them (osa.nimi -> "nimi")
    text: str = field(repr=False)          # its own text as typed (tags included), every filled part
    tags: tuple[str, ...] = field(repr=False)
    limits: Limits = Limits()


# --- checking ----------------------------------------------------------------------------------------

def load_template(path: Path, *, variables: frozenset[str] | None = None, sample: dict | None = None,
                  limits: Limits | None = None) -> CheckedTemplate:
    """Check a template (see the module docstring); TemplateProblem (exit 3) if it is not fit to render.
    `variables` (default CONTEXT_VARIABLES) are the allowed names, `sample` the trial context, `limits` what
    it may use (default Limits())."""
    from jinja2 import meta

    if variables is None or sample is None:
        from toolkit.rules.certificate_context import CONTEXT_VARIABLES, sample_context

        variables = CONTEXT_VARIABLES if variables is None else variables
        sample = sample_context() if sample is None else sample
    path = Path(path)
    name = path.name
    limits = limits or Limits()
    env = _environment(limits)
    data = read_package(name, path)
    helper = _open(name, data)
    sources, tags, texts = _filled_sources(name, helper)
    used: set[str] = set()
    fields: set[str] = set()
    for part, source, text_only in sources:
        part_env = env.text_environment() if text_only else env
        ast = _compile(name, part_env, part, source, tags)
        used |= meta.find_undeclared_variables(ast)
        fields |= _fields(ast)
    unknown = sorted(used - set(variables))
    if unknown:
        var = unknown[0]
        raise problem(name, "template-unknown-variable", variable=var, tag=_tag_with(tags, var),
                      allowed=", ".join(sorted(variables)))
    checked = CheckedTemplate(name, path, data, frozenset(used), frozenset(fields), "\n".join(texts), tuple(tags),
                              limits)
    render_docx(checked, sample)                 # the trial render
    return checked


def _open(name: str, data: bytes):
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from lxml.etree import XMLSyntaxError

    try:
        helper = DocxTemplate(io.BytesIO(data))
        helper.init_docx()
    except (PackageNotFoundError, KeyError, ValueError, XMLSyntaxError, OSError) as error:
        raise problem(name, "template-not-docx", detail=short(str(error) or type(error).__name__)) from None
    return helper


def _filled_sources(name: str, helper) -> tuple[list[tuple[str, str, bool]], list[str], list[str]]:
    """What docxtpl will render, as it will: [(part, Jinja source, plain text?)], the tags and paragraph
    texts; a tag in any other part refuses the template."""
    package = helper.docx.part.package
    sources, tags, texts = [], [], []
    xml_parts = [(_part_name(helper.docx.part), helper.docx.part.blob, helper.get_xml())]
    for uri in (helper.HEADER_URI, helper.FOOTER_URI):
        xml_parts += [(_part_name(part), part.blob, helper.get_part_xml(part))
                      for _rel, part in helper.get_headers_footers(uri)]
    if helper.docx.sections:                      # docxtpl renders footnotes section by section
        xml_parts += [(_part_name(p), p.blob, p.blob.decode("utf-8")) for p in package.parts
                      if p.content_type == FOOTNOTES]
    for part, blob, xml in xml_parts:
        found, paragraphs = scan_tags(name, blob)
        tags += found
        texts += paragraphs
        sources.append((part, re.sub(r"<w:p([ >])", r"\n<w:p\1", helper.patch_xml(xml)), False))
    parts = [(_part_name(p), p.content_type, p.blob) for p in package.parts]
    refuse_unfilled_tags(name, parts, {part for part, _b, _x in xml_parts})
    core = next((blob for part, _t, blob in parts if part == CORE_PART), None)
    for field_name, text in core_fields(core) if core is not None else ():
        if field_name in CORE_FILLED and any(o in text for o in ("{{", "{%", "{#")):
            found = TAG.findall(text)
            for tag in found:
                check_tag(name, tag)
            check_closed(name, text)
            tags += found
            texts.append(text)
            sources.append((f"{CORE_PART} ({field_name})", text, True))
    return sources, tags, texts


def _part_name(part) -> str:
    return str(part.partname).lstrip("/")


def _compile(name: str, env, part: str, source: str, tags: list[str]):
    """Parse (the guards run) and compile one part's source; TemplateProblem naming the tag."""
    from jinja2 import TemplateSyntaxError

    try:
        ast = env.parse(source)
        env.from_string(source)
    except TemplateLimit as error:
        raise _limit_problem(name, error, _line(source, error.lineno), tags) from None
    except TemplateSyntaxError as error:
        line = _line(source, error.lineno)
        unknown_filter = _filter_problem(name, error.message or "", line, tags)
        if unknown_filter:
            raise unknown_filter from None
        raise problem(name, "template-syntax", place=short(line), detail=error.message) from None
    return ast


def _filter_problem(name: str, message: str, line: str, tags) -> TemplateProblem | None:
    """Jinja's "No filter named 'center'" (at compile time, or at run time inside an {% if %}) in Finnish."""
    from toolkit.office.template_sandbox import ALLOWED_FILTERS

    found = re.search(r"No filter named '([^']+)'", message)
    if not found:
        return None
    return problem(name, "template-filter-not-allowed", filter=found.group(1), tag=_tag_in(line, found.group(1), tags),
                   allowed=", ".join(sorted(ALLOWED_FILTERS)))


def _fields(ast) -> set[str]:
    from jinja2 import nodes

    names = {n.attr for n in ast.find_all(nodes.Getattr)}
    names |= {n.arg.value for n in ast.find_all(nodes.Getitem) if isinstance(n.arg, nodes.Const)
              and isinstance(n.arg.value, str)}
    return names


def _line(source: str | None, lineno: int | None) -> str:
    """The text (XML tags removed) of a source line: docxtpl puts every paragraph on a line of its own."""
    if not source or not lineno:
        return ""
    lines = source.splitlines()
    return re.sub(r"<[^>]+>", "", lines[lineno - 1]) if 0 < lineno <= len(lines) else ""


def _tag_with(tags, word: str) -> str:
    for tag in tags:
        if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", tag):
            return short(tag)
    return "?"


def _tag_in(line: str, word: str, tags) -> str:
    """The tag of `line` holding `word` (else its first tag, else any template tag holding it)."""
    found = TAG.findall(line)
    for tag in found:
        if not word or word in tag:
            return short(tag)
    return short(found[0]) if found else _tag_with(tags, word) if word else "?"


# --- rendering ---------------------------------------------------------------------------------------

@cache
def _environment(limits: Limits):
    """One environment per process and limits: it keeps the compiled parts across documents."""
    return make_environment(limits)


def _certificate_class():
    from docxtpl import DocxTemplate

    class _Certificate(DocxTemplate):
        """docxtpl's DocxTemplate, its render untouched but for the two additions the module docstring names."""

        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            from lxml import etree

            try:
                xml = super().render_xml_part(src_xml, part, context, jinja_env)
            except Exception as error:
                error.muskari_part = (_part_name(part), re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml))
                raise
            try:
                etree.fromstring(xml.encode("utf-8"), parser())
            except etree.XMLSyntaxError as error:
                raise _InvalidOutput(_part_name(part), str(error)) from None
            return xml

        def render_properties(self, context, jinja_env=None):
            try:
                super().render_properties(context, jinja_env.text_environment())
            except Exception as error:
                error.muskari_part = (CORE_PART, None)
                raise

    return _Certificate


_CERTIFICATE = None


class _InvalidOutput(Exception):
    def __init__(self, part: str, detail: str):
        super().__init__(part, detail)
        self.part, self.detail = part, detail


def render_docx(template: CheckedTemplate, context: dict) -> bytes:
    """One rendered .docx as bytes: docxtpl's render and save on the template's bytes, within the limits."""
    global _CERTIFICATE
    if _CERTIFICATE is None:
        _CERTIFICATE = _certificate_class()
    doc = _CERTIFICATE(io.BytesIO(template.data))
    out = io.BytesIO()
    try:
        with budget(template.limits):
            doc.render(context, jinja_env=_environment(template.limits), autoescape=True)
            doc.save(out)
    except TemplateProblem:
        raise
    except Exception as error:         # anything a template's code can raise: said in Finnish, never a traceback
        raise _render_problem(template, error) from None
    return out.getvalue()


def _render_problem(template: CheckedTemplate, error: Exception) -> TemplateProblem:
    from jinja2.exceptions import SecurityError, UndefinedError

    name, tags = template.name, template.tags
    if isinstance(error, _InvalidOutput):
        return problem(name, "template-invalid-output", part=error.part, detail=short(error.detail))
    part, source = getattr(error, "muskari_part", (None, None))
    line = _line(source, _template_lineno(error))
    if isinstance(error, TemplateLimit):
        return _limit_problem(name, error, line, tags)
    text = str(error)
    words = re.findall(r"'([^']+)'", text)
    if isinstance(error, SecurityError) or "unsafe" in text:
        word = words[0] if words else ""
        return problem(name, "template-internals", tag=_tag_in(line, word, tags), word=word)
    if isinstance(error, UndefinedError):
        word = words[-1] if words else ""
        return problem(name, "template-unknown-field", tag=_tag_in(line, word, tags), word=word)
    unknown_filter = _filter_problem(name, text, line, tags)
    if unknown_filter:
        return unknown_filter
    if isinstance(error, RecursionError):
        return problem(name, "template-recursion", tag=_tag_in(line, "", tags))
    return problem(name, "template-cannot-fill", tag=_tag_in(line, words[-1] if words else "", tags),
                   detail=short(f"{type(error).__name__}: {text}" if text else type(error).__name__))


def _limit_problem(name: str, error: TemplateLimit, line: str, tags) -> TemplateProblem:
    words = dict(error.words)
    hint = words.pop("hint", "")
    word = words.get("statement") or words.get("name") or words.get("operator") or hint
    return problem(name, error.code, **{"tag": _tag_in(line, word, tags), **words})


def _template_lineno(error: Exception) -> int | None:
    """The template line where Jinja raised (its rewritten traceback's last template frame)."""
    lineno, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


# --- batches -----------------------------------------------------------------------------------------

Job = tuple[str, dict, str]          # (template key, context, destination path)
_WORKER_TEMPLATES: dict[str, CheckedTemplate] = {}


def _init_worker(templates: dict[str, CheckedTemplate]) -> None:
    _WORKER_TEMPLATES.update(templates)


def _render_chunk(jobs: list[Job]) -> int:
    for key, context, dest in jobs:
        create_private(Path(dest), render_docx(_WORKER_TEMPLATES[key], context))
    return len(jobs)


def render_documents(templates: dict[str, CheckedTemplate], jobs: Iterable[Job], *, workers: int | None = None,
                     progress: Callable[[int], None] | None = None) -> int:
    """Render every job to its destination (mode 0600, never over an existing file). `workers` None: one
    process below PARALLEL_MIN documents, else one per core; a number forces that many. `progress(n)` is
    called as documents are done. Returns the number of documents."""
    jobs = list(jobs)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(jobs) >= PARALLEL_MIN else 1
    if workers <= 1 or len(jobs) < 2:
        for key, context, dest in jobs:
            create_private(Path(dest), render_docx(templates[key], context))
            if progress:
                progress(1)
        return len(jobs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    size = max(8, len(jobs) // (workers * 4))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    # "spawn": fresh workers that import only this module and docxtpl. A forked copy of a process that
    # has used pandas/pyarrow (their thread pools) can die or hang, and fork is not on every platform.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(templates,)) as pool:
        for future in as_completed([pool.submit(_render_chunk, c) for c in chunks]):
            done = future.result()
            if progress:
                progress(done)
    return len(jobs)


def document_text(path_or_bytes) -> str:
    """The text a reader sees (paragraphs, tables, headers and footers), extracted with python-docx."""
    from docx import Document

    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    doc = Document(source)
    lines: list[str] = []
    for section in doc.sections:
        lines += [p.text for p in section.header.paragraphs if p.text]
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == W + "p":
            lines.append("".join(t.text or "" for t in child.iter(W + "t")))
        elif child.tag == W + "tbl":
            for tr in child.iter(W + "tr"):
                cells = ["".join(t.text or "" for t in tc.iter(W + "t")) for tc in tr.iter(W + "tc")]
                lines.append(" | ".join(cells).rstrip())
    for section in doc.sections:
        lines += [p.text for p in section.footer.paragraphs if p.text]
    return "\n".join(lines).rstrip() + "\n"
