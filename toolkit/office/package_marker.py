"""The toolkit's mark inside the .xlsx and .docx files it writes: a custom document property.

    data, token = mark_package(workbook_bytes)      # then write_output(..., marker=token)

The property ``muskari-tuotos`` (``toolkit.system.outputs.MARKER_PROPERTY``) holds a random token that the
output list records beside the file's path. Excel, Word and LibreOffice keep custom properties when the
owner opens the file and saves it again, so an erasure still knows the file as the toolkit's own
(``toolkit.erasure.own_files``). The token says nothing about anyone.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from toolkit.system.outputs import MARKER_PROPERTY, new_marker

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def mark_package(data: bytes, token: str | None = None) -> tuple[bytes, str]:
    """``data`` (an .xlsx or .docx made by the toolkit) with the marker property set; the token used."""
    token = token or new_marker()
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[CUSTOM_PART] = _with_property(parts.get(CUSTOM_PART), token)
    parts["[Content_Types].xml"] = _with_override(parts["[Content_Types].xml"])
    parts["_rels/.rels"] = _with_relationship(parts["_rels/.rels"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = [i.filename for i in source.infolist()]
        for name in names + [n for n in parts if n not in names]:
            target.writestr(name, parts[name])
    return out.getvalue(), token


def _with_property(xml: bytes | None, token: str) -> bytes:
    if xml:
        root = etree.fromstring(xml, _PARSER)
    else:
        root = etree.Element(f"{{{PROPS_NS}}}Properties", nsmap={None: PROPS_NS, "vt": VT_NS})
    for prop in list(root):
        if prop.get("name") == MARKER_PROPERTY:
            root.remove(prop)
    pids = [int(p.get("pid", "1")) for p in root if str(p.get("pid", "")).isdigit()]
    prop = etree.SubElement(root, f"{{{PROPS_NS}}}property", fmtid=FMTID, pid=str(max(pids, default=1) + 1),
                            name=MARKER_PROPERTY)
    etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = token
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_override(xml: bytes) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    if not any(el.get("PartName") == "/" + CUSTOM_PART for el in root):
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + CUSTOM_PART, ContentType=CUSTOM_TYPE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_relationship(xml: bytes) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    if not any(el.get("Type") == CUSTOM_REL for el in root):
        ids = {el.get("Id") for el in root}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        etree.SubElement(root, f"{{{REL_NS}}}Relationship", Id=f"rId{n}", Type=CUSTOM_REL, Target=CUSTOM_PART)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
