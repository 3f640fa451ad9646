"""A certificate template as a package: read within limits, every XML part free of DTDs, the tags of its
paragraphs, and no tag in a part docxtpl does not fill.

    data = read_package(name, path)                     # the file's bytes; TemplateProblem if hostile or broken
    tags, texts = scan_tags(name, xml)                  # the tags and paragraph texts of one Word XML part
    refuse_unfilled_tags(name, package, filled)         # a tag where docxtpl never looks: refused

Word never writes a DOCTYPE, so any DTD in any part (an external entity that would read a file, a
"billion laughs" entity bomb) refuses the template before python-docx or docxtpl parse it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from toolkit.model.errors import TemplateProblem

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CORE_PART = "docProps/core.xml"
# core property elements docxtpl renders (local name), the others are left as typed
CORE_FILLED = frozenset({"title", "subject", "creator", "description", "identifier", "language"})

MAX_FILE = 50 << 20           # a restyled certificate with a logo is well under 1 MB
MAX_MEMBERS = 1000
MAX_MEMBER = 50 << 20
MAX_TOTAL = 200 << 20
MAX_XML = 10 << 20            # one XML part; docxtpl's regular expressions run over the filled ones

CURLY_QUOTES = "“”„‟‘’‚‛«»"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
OPENERS = ("{{", "{%", "{#")


def problem(template: str, code: str, /, **words) -> TemplateProblem:
    return TemplateProblem(code, template=template, **words)


def short(tag: str) -> str:
    tag = " ".join(tag.split())
    return tag if len(tag) <= 80 else tag[:77] + "..."


def read_package(name: str, path: Path) -> bytes:
    """The template file's bytes, after checking sizes (declared sizes bound what is read: zipfile stops at
    them and checks the CRC) and that every XML member is well-formed and has no DTD."""
    if not path.is_file():
        raise problem(name, "template-missing", path=path)
    if path.stat().st_size > MAX_FILE:
        raise problem(name, "template-too-big", limit=f"{MAX_FILE >> 20} Mt")
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL or \
                    any(i.file_size > MAX_MEMBER for i in infos):
                raise problem(name, "template-too-big", limit=f"{MAX_TOTAL >> 20} Mt")
            members = {i.filename: z.read(i) for i in infos if not i.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as error:
        raise problem(name, "template-not-docx", detail=_detail(error)) from None
    for member, content in members.items():
        if member.lower().endswith((".xml", ".rels")) or _looks_like_xml(content):
            _check_xml(name, member, content)
    return data


def _looks_like_xml(data: bytes) -> bool:
    """A member that a parser would take for XML whatever its name (UTF-8, a BOM, or UTF-16)."""
    head = data[:4]
    return head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or data[:64].lstrip()[:1] == b"<"


def parser():
    """lxml's parser for a template's parts: never resolves entities, never loads a DTD or the network
    (read_package has refused any DTD already; this keeps every later parse safe on its own)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def _check_xml(name: str, member: str, data: bytes) -> None:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if len(data) > MAX_XML:
        raise problem(name, "template-too-big", limit=f"{MAX_XML >> 20} Mt ({member})")
    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise problem(name, "template-xml-doctype", part=member) from None
    except (ParseError, ValueError) as error:
        raise problem(name, "template-xml-broken", part=member, detail=_detail(error)) from None


def _detail(error: Exception) -> str:
    return short(str(error) or type(error).__name__)


def scan_tags(name: str, xml: bytes) -> tuple[list[str], list[str]]:
    """The tags of one Word XML part as the reader sees them, and its paragraphs' texts; TemplateProblem
    for curly quotes, a tag split across differently formatted runs or a tag left open in its paragraph.
    Runs that differ only by revision ids count as one formatting, as docxtpl joins them."""
    from lxml import etree

    root = etree.fromstring(xml, parser())
    paragraphs: dict[object, list[tuple[str, bytes]]] = {}
    for t in root.iter(W + "t"):
        run = t.getparent()
        p = next(run.iterancestors(W + "p"), None)
        rpr = run.find(W + "rPr")
        key = etree.tostring(rpr) if rpr is not None else b""
        paragraphs.setdefault(p, []).append((t.text or "", key))
    tags, texts = [], []
    for segments in paragraphs.values():
        text = "".join(s for s, _ in segments)
        texts.append(text)
        if not any(o in text for o in OPENERS):
            continue
        bounds, pos = [], 0
        for s, key in segments:
            bounds.append((pos, pos + len(s), key))
            pos += len(s)
        for m in TAG.finditer(text):
            tags.append(m.group(0))
            check_tag(name, m.group(0))
            keys = {key for a, b, key in bounds if a < m.end() and b > m.start() and b > a}
            if len(keys) > 1:
                raise problem(name, "template-split-tag", tag=short(m.group(0)))
        check_closed(name, text)
    return tags, texts


def check_tag(name: str, tag: str) -> None:
    if any(q in tag for q in CURLY_QUOTES):
        raise problem(name, "template-curly-quotes", tag=short(tag))


def check_closed(name: str, text: str) -> None:
    rest = TAG.sub("", text)
    for opener in OPENERS:
        if opener in rest:
            start = rest.index(opener)
            raise problem(name, "template-unclosed-tag", tag=short(rest[start:start + 40]))


def core_fields(xml: bytes) -> list[tuple[str, str]]:
    """(local name, text) of every core property element."""
    from lxml import etree

    return [(etree.QName(e).localname, e.text or "") for e in etree.fromstring(xml, parser())
            if isinstance(e.tag, str)]


def refuse_unfilled_tags(name: str, parts, filled: set[str]) -> None:
    """`parts`: (part name, content type, bytes) of every part Word reads. A tag in a part (or a core
    property) docxtpl does not fill would print as typed: refuse the template, naming part and tag."""
    from lxml import etree

    for part, content_type, blob in parts:
        if part in filled or not (content_type.endswith("xml") or part.endswith((".xml", ".rels"))):
            continue
        if part == CORE_PART:
            texts = [(f"{part} ({field})", text) for field, text in core_fields(blob) if field not in CORE_FILLED]
        else:
            try:
                root = etree.fromstring(blob, parser())
            except etree.XMLSyntaxError:
                continue
            texts = [(part, text) for e in root.iter() for text in (e.text, e.tail, *e.attrib.values()) if text]
            if any(o in "".join(t for _, t in texts) for o in OPENERS):      # a tag split across elements
                texts.append((part, "".join(t for _, t in texts)))
        for where, text in texts:
            if any(o in text for o in OPENERS):
                found = TAG.search(text)
                tag = found.group(0) if found else text[text.index(next(o for o in OPENERS if o in text)):][:40]
                raise problem(name, "template-unfilled-part", part=where, tag=short(tag))
