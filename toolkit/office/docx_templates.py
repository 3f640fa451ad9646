"""Rendering Word certificates: the one module that owns docxtpl (and its Jinja environment).

    compiled = load_template(Path("templates/päättötodistus.docx"))   # checks, then compiles once
    data = render_docx(compiled, context)                               # bytes of one .docx
    render_documents({"päättötodistus": compiled}, jobs, progress=...)  # a batch, across cores

Safety: an owner-edited template is code, so it runs in Jinja's *immutable sandbox* with
autoescape (a name with `&` or `<` stays text) and StrictUndefined (a misspelt variable stops the
run instead of printing nothing); the environment has no globals (`cycler`, `range`, ...), and
characters that XML cannot hold are dropped from values.

Before a batch each template is checked, and a bad one raises TemplateProblem (exit 3) naming the
template and the tag: Word's curly quotes inside a tag, a tag split across runs with different
formatting (Word does this when part of a tag is restyled; runs that differ only by revision ids
are joined as docxtpl joins them), a tag left open in its paragraph, Jinja syntax errors, variables
outside CONTEXT_VARIABLES, and finally a trial render with a sample context (misspelt fields such as
`opinto.nimii`, attempts to reach Python internals).

Speed: docxtpl parses and patches the template's XML and recompiles Jinja for every document. Here
the patched XML of the body, headers and footers is compiled once per template; each document is
one Jinja render, docxtpl's own post-processing (listing, tables, picture ids) and a zip assembled
from the template's other members exactly as they are stored (compressed once, when the template
loads). Batches of PARALLEL_MIN documents or more are spread over the CPU cores.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.model.errors import TemplateProblem
from toolkit.system.private_files import create_private

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
BODY_PART = "word/document.xml"
_MARK = b"<!--muskari-body-->"

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CURLY_QUOTES = "“”„‟‘’‚‛«»"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
OPENERS = ("{{", "{%", "{#")
# Below this many documents one process is faster: a document takes about 3 ms, while starting the
# spawned workers (a fresh interpreter importing docxtpl, lxml and python-docx, templates checked again)
# takes one to two seconds; on this busy 2-core machine two workers never beat one process below
# about a thousand documents (benchmarks/bench_certificates.py --workers 2).
PARALLEL_MIN = 1000


def _finalize(value):
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    return value


def make_environment():
    """The sandboxed, autoescaping, strict Jinja environment every certificate renders in."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize)
    env.globals.clear()
    env.filters.pop("safe", None)          # `|safe` would let a `<` in a name break the document's XML
    return env


@dataclass(frozen=True)
class _Entry:
    """One zip member of the template, kept compressed: unchanged parts are copied as they are."""

    name: bytes
    crc: int
    compressed: bytes
    size: int
    method: int
    dos_time: int
    dos_date: int

    @classmethod
    def of(cls, info: zipfile.ZipInfo, raw: bytes) -> _Entry:
        y, mo, d, h, mi, s = info.date_time
        return cls(info.filename.encode("utf-8"), info.CRC, raw, info.file_size, info.compress_type,
                   (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d)

    def with_data(self, data: bytes) -> _Entry:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        return _Entry(self.name, zlib.crc32(data), packer.compress(data) + packer.flush(), len(data),
                      zipfile.ZIP_DEFLATED, self.dos_time, self.dos_date)


def _zip_bytes(entries: list[_Entry]) -> bytes:
    """A plain zip (no zip64, no data descriptors) from already compressed members."""
    out, central = io.BytesIO(), io.BytesIO()
    for e in entries:
        flags = 0 if e.name.isascii() else 0x800
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, e.method, e.dos_time, e.dos_date, e.crc,
                              len(e.compressed), e.size, len(e.name), 0))
        out.write(e.name)
        out.write(e.compressed)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, e.method, e.dos_time, e.dos_date,
                                  e.crc, len(e.compressed), e.size, len(e.name), 0, 0, 0, 0, 0, offset))
        central.write(e.name)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), central.tell(), start, 0))
    return out.getvalue()


def _raw_members(path: Path) -> tuple[list[_Entry], dict[str, bytes]]:
    """The template's members, compressed bytes as stored, and the uncompressed XML parts we render."""
    entries, data = [], {}
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        for info in z.infolist():
            data[info.filename] = z.read(info.filename)          # also verifies the CRC
            f.seek(info.header_offset)
            header = f.read(30)
            skip = struct.unpack("<2H", header[26:30])
            f.seek(info.header_offset + 30 + skip[0] + skip[1])
            raw = f.read(info.compress_size)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.file_size >= 2**31:
                raw_entry = _Entry.of(info, b"").with_data(data[info.filename])
            else:
                raw_entry = _Entry.of(info, raw)
            entries.append(raw_entry)
    return entries, data


@dataclass
class _Part:
    template: object                 # a compiled jinja2.Template
    prefix: bytes = b""
    suffix: bytes = b""
    body: bool = False


@dataclass
class CompiledTemplate:
    name: str
    path: Path
    entries: list[_Entry]
    parts: dict[str, _Part]
    variables: frozenset[str]                            # the variables the template uses
    allowed: frozenset[str] = frozenset()                # the variables it may use
    sample: dict = field(default_factory=dict, repr=False)
    _helper: object = field(default=None, repr=False)   # a DocxTemplate, for its post-processing


def _problem(name: str, fi: str, en: str) -> TemplateProblem:
    return TemplateProblem(f"Todistuspohja {name}: {fi}", f"Certificate template {name}: {en}")


def _short(tag: str) -> str:
    tag = " ".join(tag.split())
    return tag if len(tag) <= 80 else tag[:77] + "..."


# --- checks ---------------------------------------------------------------------------------------

def scan_tags(name: str, xml: bytes) -> list[str]:
    """The tags of one XML part as the reader sees them; raises TemplateProblem for curly quotes,
    tags split across differently formatted runs and tags left open in their paragraph."""
    from lxml import etree

    root = etree.fromstring(xml)
    paragraphs: dict[object, list[tuple[str, bytes]]] = {}
    for t in root.iter(W + "t"):
        run = t.getparent()
        p = next(run.iterancestors(W + "p"), None)
        rpr = run.find(W + "rPr")
        key = etree.tostring(rpr) if rpr is not None else b""
        paragraphs.setdefault(p, []).append((t.text or "", key))
    tags = []
    for segments in paragraphs.values():
        text = "".join(s for s, _ in segments)
        if not any(o in text for o in OPENERS):
            continue
        bounds, pos = [], 0
        for s, key in segments:
            bounds.append((pos, pos + len(s), key))
            pos += len(s)
        for m in TAG.finditer(text):
            tag = m.group(0)
            tags.append(tag)
            if any(q in tag for q in CURLY_QUOTES):
                raise _problem(name, f"tagissa {_short(tag)} on Wordin kaarevia lainausmerkkejä. Vaihda ne suoriksi "
                                     "(\" tai ') tai poista Wordin automaattinen lainausmerkkien muotoilu.",
                               f"the tag {_short(tag)} holds Word's curly quotes. Replace them with straight "
                               "quotes (\" or ') and turn off Word's smart quotes.")
            keys = {key for a, b, key in bounds if a < m.end() and b > m.start() and b > a}
            if len(keys) > 1:
                raise _problem(name, f"tagi {_short(tag)} on jaettu osiin, joilla on eri muotoilu. Kirjoita tagi "
                                     "uudelleen yhdellä kertaa ja anna koko tagille sama muotoilu.",
                               f"the tag {_short(tag)} is split across runs with different formatting. Retype "
                               "the tag in one go and give the whole tag one formatting.")
        rest = TAG.sub("", text)
        for opener in OPENERS:
            if opener in rest:
                start = rest.index(opener)
                tag = rest[start:start + 40]
                raise _problem(name, f"tagi {_short(tag)} jää kesken: sulkeva merkki puuttuu samasta kappaleesta. "
                                     "Korjaa tagi.",
                               f"the tag {_short(tag)} is not closed within its paragraph. Correct the tag.")
    return tags


def _tag_with(tags: list[str], word: str) -> str:
    for tag in tags:
        if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", tag):
            return _short(tag)
    return "?"


def load_template(path: Path, env=None, *, variables: frozenset[str] | None = None,
                  sample: dict | None = None) -> CompiledTemplate:
    """Check a template (see the module docstring) and compile it once; TemplateProblem if bad.
    `variables` (default CONTEXT_VARIABLES) are the allowed names, `sample` the trial context."""
    from jinja2 import TemplateSyntaxError, meta

    if variables is None or sample is None:
        from toolkit.rules.certificate_context import CONTEXT_VARIABLES, sample_context

        variables = CONTEXT_VARIABLES if variables is None else variables
        sample = sample_context() if sample is None else sample

    path = Path(path)
    name = path.name
    env = env or make_environment()
    helper, raw_parts, entries = _open(path)
    tags: list[str] = []
    for xml, _patched in raw_parts.values():
        tags += scan_tags(name, xml)
    parts: dict[str, _Part] = {}
    used: set[str] = set()
    for part_name, (_xml, patched) in raw_parts.items():
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        try:
            used |= meta.find_undeclared_variables(env.parse(source))
            template = env.from_string(source)
        except TemplateSyntaxError as error:
            line = re.sub(r"<[^>]+>", "", source.splitlines()[error.lineno - 1]) if error.lineno else ""
            raise _problem(name, f"tagi kohdassa \"{_short(line)}\" ei ole kelvollinen ({error.message}). Korjaa tagi.",
                           f"a tag near \"{_short(line)}\" is not valid ({error.message}). Correct the tag.") from None
        parts[part_name] = _Part(template, body=part_name == BODY_PART)
    for tag in tags:
        if re.search(r"\{%-?\s*autoescape\b", tag):
            raise _problem(name, f"tagi {_short(tag)} yrittää poistaa merkkien suojauksen, mikä ei ole sallittua. "
                                 "Poista tagi.",
                           f"the tag {_short(tag)} tries to turn off escaping, which is not allowed. Remove it.")
    unknown = sorted(used - set(variables))
    if unknown:
        var = unknown[0]
        allowed = ", ".join(sorted(variables))
        raise _problem(name, f"tuntematon muuttuja '{var}' tagissa {_tag_with(tags, var)}. Korjaa kirjoitusasu; "
                             f"sallitut muuttujat: {allowed}.",
                       f"unknown variable '{var}' in the tag {_tag_with(tags, var)}. Correct the spelling; "
                       f"allowed variables: {allowed}.")
    body_xml = next(xml for part_name, (xml, _p) in raw_parts.items() if part_name == BODY_PART)
    parts[BODY_PART].prefix, parts[BODY_PART].suffix = _split_document(body_xml)
    compiled = CompiledTemplate(name, path, entries, parts, frozenset(used), frozenset(variables), sample, helper)
    trial_render(compiled, sample, tags)
    return compiled


def trial_render(compiled: CompiledTemplate, context: dict, tags: list[str] | None = None) -> None:
    """Render once with a complete context; any failure becomes a TemplateProblem naming the tag."""
    render_docx(compiled, context, tags=tags or [])


def _template_error(name: str, error: Exception, tags: list[str]) -> TemplateProblem:
    from jinja2.exceptions import SecurityError, UndefinedError

    text = str(error)
    words = re.findall(r"'([^']+)'", text)
    word = words[0] if isinstance(error, SecurityError) and words else (words[-1] if words else "")
    tag = _tag_with(tags, word) if word else "?"
    if isinstance(error, SecurityError) or "unsafe" in text:
        return _problem(name, f"tagi {tag} yrittää käyttää Pythonin sisäisiä osia ({word}), mikä on estetty. "
                              "Poista tagi.",
                        f"the tag {tag} tries to reach Python internals ({word}), which is blocked. Remove the tag.")
    if isinstance(error, UndefinedError):
        return _problem(name, f"tagissa {tag} on tuntematon kenttä '{word}'. Korjaa kirjoitusasu.",
                        f"the tag {tag} uses an unknown field '{word}'. Correct the spelling.")
    return _problem(name, f"tagia {tag} ei voi täyttää ({text}). Korjaa tagi.",
                    f"the tag {tag} cannot be filled ({text}). Correct the tag.")


def _open(path: Path):
    """(DocxTemplate helper, {part: (raw xml, patched xml)}, zip entries) of a .docx template."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    name = path.name
    if not path.is_file():
        raise _problem(name, f"tiedostoa {path} ei löydy. Palauta pohja (templates/build_templates.py tekee sen).",
                       f"{path} does not exist. Restore it (templates/build_templates.py builds it).")
    try:
        entries, data = _raw_members(path)
        helper = DocxTemplate(str(path))
        helper.init_docx()
        raw = {BODY_PART: (data[BODY_PART], helper.patch_xml(helper.get_xml()))}
        for uri in (HEADER_URI, FOOTER_URI):
            for _rel, part in helper.get_headers_footers(uri):
                raw[str(part.partname).lstrip("/")] = (part.blob, helper.patch_xml(helper.get_part_xml(part)))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, OSError, struct.error) as error:
        raise _problem(name, f"tiedosto ei ole Word-asiakirja (.docx) ({error}). Tallenna pohja Wordissa .docx-muodossa.",
                       f"the file is not a Word document (.docx) ({error}). Save it from Word as .docx.") from None
    return helper, raw, entries


def _split_document(xml: bytes) -> tuple[bytes, bytes]:
    """document.xml around its body: (prefix, suffix), so a rendered body can be put between."""
    from lxml import etree

    root = etree.fromstring(xml)
    body = root.find(W + "body")
    root.replace(body, etree.Comment("muskari-body"))
    whole = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
    prefix, suffix = whole.split(_MARK)
    return prefix, suffix


# --- rendering ------------------------------------------------------------------------------------

def render_docx(compiled: CompiledTemplate, context: dict, *, tags: list[str] | None = None) -> bytes:
    """One rendered .docx as bytes (same text as docxtpl's render + save)."""
    from jinja2 import TemplateError
    from lxml import etree

    helper = compiled._helper
    rendered: dict[str, bytes] = {}
    try:
        for part_name, part in compiled.parts.items():
            xml = part.template.render(context)
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
            xml = helper.resolve_listing(xml)
            _strict_xml(compiled.name, part_name, xml)
            if part.body:
                tree = helper.fix_tables(xml)
                helper.docx_ids_index = 1000
                helper.fix_docpr_ids(tree)
                rendered[part_name] = part.prefix + etree.tostring(tree, encoding="UTF-8", xml_declaration=False) \
                    + part.suffix
            else:
                rendered[part_name] = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml.encode()
    except TemplateError as error:
        raise _template_error(compiled.name, error, tags if tags is not None else []) from None
    return _zip_bytes([e.with_data(rendered[e.name.decode()]) if e.name.decode() in rendered else e
                       for e in compiled.entries])


def _strict_xml(name: str, part: str, xml: str) -> None:
    """docxtpl re-parses with recovery, which would silently drop what broke the XML: refuse instead."""
    from lxml import etree

    try:
        etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as error:
        raise _problem(name, f"täytetty asiakirja ({part}) ei ole kelvollista XML:ää ({error}). Tarkista pohjan tagit.",
                       f"the filled document ({part}) is not valid XML ({error}). Check the template's tags.") from None


Job = tuple[str, dict, str]          # (template key, context, destination path)
_WORKER_TEMPLATES: dict[str, CompiledTemplate] = {}


def _init_worker(specs: dict[str, tuple[str, frozenset[str], dict]]) -> None:
    env = make_environment()
    for key, (path, allowed, sample) in specs.items():
        _WORKER_TEMPLATES[key] = load_template(Path(path), env, variables=allowed, sample=sample)


def _render_chunk(jobs: list[Job]) -> int:
    for key, context, dest in jobs:
        create_private(Path(dest), render_docx(_WORKER_TEMPLATES[key], context))
    return len(jobs)


def render_documents(templates: dict[str, CompiledTemplate], jobs: Iterable[Job], *, workers: int | None = None,
                     progress: Callable[[int], None] | None = None) -> int:
    """Render every job to its destination (mode 0600). `workers` None: one process below PARALLEL_MIN
    documents, else one per core; a number forces that many. `progress(n)` is called as documents are
    done. Returns the number of documents."""
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
    specs = {key: (str(t.path), t.allowed, t.sample) for key, t in templates.items()}
    # "spawn": fresh workers that import only this module and docxtpl. A forked copy of a process that
    # has used pandas/pyarrow (their thread pools) can die or hang, and fork is not on every platform.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(specs,)) as pool:
        for future in as_completed([pool.submit(_render_chunk, c) for c in chunks]):
            done = future.result()
            if progress:
                progress(done)
    return len(jobs)


def render_with_docxtpl(path: Path, context: dict, dest: Path) -> None:
    """The plain way (a new DocxTemplate per document), kept for the benchmark and equivalence tests."""
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(path))
    doc.render(context, jinja_env=make_environment(), autoescape=True)
    doc.save(str(dest))


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
