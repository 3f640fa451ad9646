"""Certificate templates as an owner's Word would leave them: tags in a header, the footer, a footnote,
an endnote, the document's properties (title, keywords, custom properties), and hostile packages
(a DOCTYPE with an external entity or a billion laughs in any part).

    restyle(TEMPLATES / "päättötodistus.docx", tmp_path / "päättötodistus.docx",
            header="Oppilas {{ nimi }}", footnote="{{ opetussuunnitelma }}", core={"title": "{{ todistus }}"})

Every part is written as Word writes it (a part, its relationship and its content type), so python-docx,
docxtpl and LibreOffice open the result; texts are XML-escaped here, the tags in them stay as typed.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT = "application/vnd.openxmlformats-officedocument."
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CORE_TAGS = {"title": "dc:title", "subject": "dc:subject", "author": "dc:creator", "comments": "dc:description",
             "keywords": "cp:keywords", "category": "cp:category", "last_modified_by": "cp:lastModifiedBy",
             "identifier": "dc:identifier", "language": "dc:language", "content_status": "cp:contentStatus",
             "version": "cp:version"}

BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + "]>")
XXE = '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _note_part(kind: str, text: str) -> str:
    """footnotes.xml / endnotes.xml: Word's two separator notes and note 1 holding `text`."""
    tag = kind[:-1]                       # footnote / endnote
    separators = "".join(f'<w:{tag} w:type="{t}" w:id="{i}"><w:p><w:r><w:{s}/></w:r></w:p></w:{tag}>'
                         for t, i, s in (("separator", -1, "separator"),
                                         ("continuationSeparator", 0, "continuationSeparator")))
    return (f'{DECL}<w:{kind} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{separators}'
            f'<w:{tag} w:id="1"><w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:{tag}>'
            f'</w:{kind}>')


class _Package:
    def __init__(self, source: Path):
        with zipfile.ZipFile(source) as z:
            self.parts = {n: z.read(n) for n in z.namelist()}

    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    def add(self, name: str, xml: str, content_type: str | None, rel_type: str | None, rel_id: str,
            rels: str = "word/_rels/document.xml.rels", target: str | None = None) -> None:
        self.parts[name] = xml.encode("utf-8")
        if content_type:
            types = self.text("[Content_Types].xml")
            override = f'<Override PartName="/{name}" ContentType="{content_type}"/>'
            self.parts["[Content_Types].xml"] = types.replace("</Types>", override + "</Types>").encode()
        if rel_type:
            relationship = (f'<Relationship Id="{rel_id}" Type="{rel_type}" '
                            f'Target="{target or name.split("/", 1)[1]}"/>')
            self.parts[rels] = self.text(rels).replace("</Relationships>",
                                                        relationship + "</Relationships>").encode()

    def body_insert(self, xml: str) -> None:
        """Insert runs/paragraphs right after the body's first paragraph."""
        doc = self.text("word/document.xml")
        end = doc.index("</w:p>", doc.index("<w:body>")) + len("</w:p>")
        self.parts["word/document.xml"] = (doc[:end] + xml + doc[end:]).encode()

    def save(self, dest: Path) -> Path:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
        dest.write_bytes(buf.getvalue())
        return dest


def restyle(source: Path, dest: Path, *, header: str | None = None, footer: str | None = None,
            footnote: str | None = None, endnote: str | None = None, core: dict[str, str] | None = None,
            custom: dict[str, str] | None = None, body: list[str] = (), replace: dict[str, bytes] | None = None,
            doctype: dict[str, str] | None = None) -> Path:
    """A copy of `source` with the given texts in those places (see the module docstring).

    header: a new default header; footer: a paragraph added to the footer; footnote / endnote: a note
    referenced from the body; core: core properties by python-docx name; custom: custom properties;
    body: paragraphs added after the first one; replace: members replaced as bytes; doctype: a DOCTYPE
    (e.g. XXE, BILLION_LAUGHS) put after the XML declaration of the named members."""
    pkg = _Package(source)
    if header is not None:
        pkg.add("word/header1.xml", f'{DECL}<w:hdr xmlns:w="{W_NS}" xmlns:r="{R_NS}">{_paragraph(header)}</w:hdr>',
                CT + "wordprocessingml.header+xml", REL + "header", "rIdMuskariHeader")
        doc = pkg.text("word/document.xml")
        doc = re.sub(r"(<w:sectPr[^>]*>)", r'\1<w:headerReference w:type="default" r:id="rIdMuskariHeader"/>', doc)
        pkg.parts["word/document.xml"] = doc.encode()
    if footer is not None:
        ftr = pkg.text("word/footer1.xml")
        pkg.parts["word/footer1.xml"] = ftr.replace("</w:ftr>", _paragraph(footer) + "</w:ftr>").encode()
    for kind, text in (("footnotes", footnote), ("endnotes", endnote)):
        if text is None:
            continue
        pkg.add(f"word/{kind}.xml", _note_part(kind, text), CT + f"wordprocessingml.{kind}+xml", REL + kind,
                f"rIdMuskari{kind}")
        tag = kind[:-1]
        pkg.body_insert(f'<w:p><w:r><w:t xml:space="preserve">Viite </w:t></w:r><w:r><w:rPr>'
                        f'<w:vertAlign w:val="superscript"/></w:rPr><w:{tag}Reference w:id="1"/></w:r></w:p>')
    for text in reversed(list(body)):
        pkg.body_insert(_paragraph(text))
    if core:
        xml = pkg.text("docProps/core.xml")
        for prop, value in core.items():
            tag = CORE_TAGS[prop]
            new = f"<{tag}>{escape(value)}</{tag}>"
            xml, n = re.subn(rf"<{tag}\s*/>|<{tag}>.*?</{tag}>", new, xml)
            if not n:
                xml = xml.replace("</cp:coreProperties>", new + "</cp:coreProperties>")
        pkg.parts["docProps/core.xml"] = xml.encode()
    if custom:
        props = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name="{escape(k)}">'
                        f"<vt:lpwstr>{escape(v)}</vt:lpwstr></property>" for i, (k, v) in enumerate(custom.items(), 2))
        xml = (f'{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
               f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>')
        pkg.add("docProps/custom.xml", xml, CT + "custom-properties+xml", REL + "custom-properties",
                "rIdMuskariCustom", rels="_rels/.rels", target="docProps/custom.xml")
    for name, data in (replace or {}).items():
        pkg.parts[name] = data
    for name, decl in (doctype or {}).items():
        xml = pkg.text(name)
        start = xml.index("?>") + 2 if xml.startswith("<?xml") else 0
        xml = xml[:start] + decl + xml[start:]
        entity = re.findall(r"<!ENTITY (\w+)", decl)[-1]        # the last one declared is the biggest
        at = xml.rindex("</")                                     # referenced inside the root element
        pkg.parts[name] = (xml[:at] + f"&{entity};" + xml[at:]).encode()
    return pkg.save(dest)


def part(docx: Path | bytes, name: str) -> str:
    """One member of a .docx as text."""
    source = io.BytesIO(docx) if isinstance(docx, bytes) else docx
    with zipfile.ZipFile(source) as z:
        return z.read(name).decode("utf-8")


def visible_text(xml: str) -> str:
    """The text of w:t elements (and of core properties' elements), joined: what a reader sees."""
    runs = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml) or re.findall(r">([^<]+)<", xml)
    from xml.sax.saxutils import unescape

    return unescape("".join(runs), {"&quot;": '"', "&apos;": "'"})
