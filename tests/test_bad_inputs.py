"""The catalogue of mistakes people make in Excel (reliability.md): each one gives its finding or a
clear refusal (exit 3 with a message naming what the file is), never a traceback."""

from __future__ import annotations

import functools
import operator
import struct
import unicodedata
import zipfile
import zlib

import openpyxl
import pytest
from registers import AS_OF, build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked
from toolkit.model.errors import NotAWorkbook


def findings_of(path):
    return [(f.sheet, f.cell, f.code) for f in load_checked(path, AS_OF)[1].findings]


def edit(path, fn):
    workbook = openpyxl.load_workbook(path)
    fn(workbook)
    workbook.save(path)
    return path


# --- cell values that are fine after normalisation ------------------------------------------------

@pytest.mark.parametrize("cell,value", [
    ("D2", "1.3.2020"), ("D2", "01.03.2020"), ("D2", "2020-03-01"), ("I2", " aktiivinen\u00a0"),
    ("I2", "AKTIIVINEN"), ("I3", unicodedata.normalize("NFD", "aktiivinen")),
    ("H2", "liisa  laulu"), ("H2", unicodedata.normalize("NFD", "Liisa Laulu") + "\u00a0"),
    ("J3", "Kyllä"), ("J3", unicodedata.normalize("NFD", "kyllä")),
], ids=["text-date", "zero-padded-date", "iso-date", "nbsp-choice", "upper-choice", "nfd-choice",
        "double-space-teacher", "nfd-teacher", "capital-yes", "nfd-yes"])
def test_normalised_values_are_accepted(tmp_path, cell, value):
    assert findings_of(build_register(tmp_path / "r.xlsx", edits={("Oppilaat", cell): value})) == []


def test_leading_zeros_survive(tmp_path):
    _r, result = load_checked(build_register(tmp_path / "r.xlsx"), AS_OF)
    assert list(result.tables.students["student_id"]) == ["0001", "0002", "0003"]


def test_id_stored_as_number_is_named_at_its_cell(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Opinnot", "A2"): 1})
    assert findings_of(path) == [("Opinnot", "A2", "id-as-number")]


def test_decimal_id_is_reported(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Opinnot", "A2"): 1.5})
    assert findings_of(path) == [("Opinnot", "A2", "id-as-number")]


# --- structure ---------------------------------------------------------------------------------

def test_title_row_above_header_and_reordered_columns(tmp_path):
    def shuffle(wb):
        ws = wb["Oppilaat"]
        ws.insert_rows(1)
        ws["A1"] = "Annan Muskari – oppilaat"
        ws.move_range("A2:A5", cols=13)        # Oppilasnumero becomes the last column (N)
        ws.delete_cols(1)
    path = edit(build_register(tmp_path / "r.xlsx"), shuffle)
    assert findings_of(path) == []
    _r, result = load_checked(path, AS_OF)
    assert list(result.tables.students["student_id"]) == ["0001", "0002", "0003"]
    assert list(result.tables.students["row"]) == [3, 4, 5]


def test_merged_cells(tmp_path):
    path = edit(build_register(tmp_path / "r.xlsx"), lambda wb: wb["Oppilaat"].merge_cells("M2:M3"))
    assert findings_of(path) == [("Oppilaat", "M2", "merged-cells")]


def test_hidden_row(tmp_path):
    def hide(wb):
        wb["Opinnot"].row_dimensions[3].hidden = True
    assert findings_of(edit(build_register(tmp_path / "r.xlsx"), hide)) == [("Opinnot", "A3", "hidden-row")]


def test_blank_row_between_data_rows(tmp_path):
    path = edit(build_register(tmp_path / "r.xlsx"), lambda wb: wb["Opinnot"].insert_rows(3))
    assert findings_of(path) == [("Opinnot", "A3", "blank-row")]


def test_blank_rows_after_the_data_are_ignored(tmp_path):
    def trailing(wb):
        wb["Opinnot"]["A20"] = " "
    assert findings_of(edit(build_register(tmp_path / "r.xlsx"), trailing)) == []


def test_duplicate_header(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Opettajat", "C1"): "Nimi"})
    assert findings_of(path) == [("Opettajat", "C1", "duplicate-column")]


def test_renamed_header_is_missing_and_unknown(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Opettajat", "B1"): "Email"})
    found = findings_of(path)
    assert ("Opettajat", None, "missing-column") in found and ("Opettajat", "B1", "unknown-column") in found


def test_owner_extra_column_is_a_warning(tmp_path):
    _r, result = load_checked(build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "N1"): "Soitin"}), AS_OF)
    assert [(f.cell, f.code, f.severity) for f in result.findings] == [("N1", "unknown-column", "warning")]
    assert result.ok


def test_missing_sheet_and_extra_sheet(tmp_path):
    def change(wb):
        del wb["Yhteydenotot"]
        wb.create_sheet("Omat muistiinpanot")["A1"] = "vapaata tekstiä"
    assert findings_of(edit(build_register(tmp_path / "r.xlsx"), change)) == [("Yhteydenotot", None, "missing-sheet")]


def test_sheet_without_header(tmp_path):
    def clear(wb):
        wb["Opettajat"].delete_rows(1)
    found = findings_of(edit(build_register(tmp_path / "r.xlsx"), clear))
    assert ("Opettajat", None, "missing-header") in found


def test_empty_register_sheets_are_valid(tmp_path):
    path = build_register(tmp_path / "r.xlsx", rows={s: [] for s in ("Oppilaat", "Opinnot", "Todistukset",
                                                                    "Valmistuneet", "Yhteydenotot")})
    assert findings_of(path) == []


# --- files that are not an .xlsx ------------------------------------------------------------------

def _xls(path):
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)


def _encrypted(path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = build_register(path.with_name("plain.xlsx"))
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("salasana", out)


def _ods(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")


def _csv(path):
    path.write_text("Oppilasnumero;Etunimi;Sukunimi\n0001;Aino;Virtanen\n", encoding="utf-8-sig")


def _truncated(path):
    data = build_register(path.with_name("whole.xlsx")).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _lock_file(path):
    path.write_bytes(b"\x05Maija" + b" " * 49 + "Maija".encode("utf-16-le") + b"\x00" * 100)


def _empty(path):
    path.write_bytes(b"")


def _zip_bomb(path, blocks=3200, block=1024**2):
    """A true zip bomb made without inflating it: xl/worksheets/sheet1.xml holds blocks x block zero bytes
    (3.2 GiB) in about 3 MB. A full flush leaves the compressor as it was at the start, so a block of zeros
    deflates to the same bytes every time: one block is compressed and repeated. The sizes and the CRC in the
    headers are the true ones, so only the guard's look at the declared sizes stands between it and memory."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    _write_zip(path, [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"),
                      ("xl/worksheets/sheet1.xml", (one * blocks + deflate.flush(), blocks * block,
                                                    _crc32_of_zeros(blocks * block)))])


def _write_zip(path, members):
    """A zip of (name, bytes) members stored as they are, or (name, (deflated, size, crc)) members."""
    local, central = bytearray(), bytearray()
    for name, content in members:
        method, (data, size, crc) = (8, content) if isinstance(content, tuple) else (0, (content, len(content),
                                                                                         zlib.crc32(content)))
        fields = (method, 0, 33, crc, len(data), size, len(name.encode()), 0)      # 33: 1.1.1980
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields, 0, 0, 0, 0, len(local))
        central += name.encode()
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *fields) + name.encode() + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))


def _crc32_of_zeros(n):
    """zlib.crc32(bytes(n)) without making the n bytes: one zero byte moves the CRC register by a linear map
    over GF(2) (a 32x32 bit matrix, one int per column); n of them is that map to the power n (as zlib's
    crc32_combine does)."""
    def times(matrix, vector):
        return functools.reduce(operator.xor, (column for i, column in enumerate(matrix) if vector >> i & 1), 0)

    step = [0xEDB88320] + [1 << i for i in range(31)]           # one zero bit: r >> 1, xor the polynomial if r & 1
    for _ in range(3):                                           # 8 bits: one zero byte
        step = [times(step, column) for column in step]
    register = 0xFFFFFFFF
    while n:
        if n & 1:
            register = times(step, register)
        step = [times(step, column) for column in step]
        n >>= 1
    return register ^ 0xFFFFFFFF


def test_the_zip_bomb_is_a_true_zip(tmp_path):
    """The bomb's builder writes a valid zip: its member inflates to the zeros and CRC it declares."""
    assert [_crc32_of_zeros(n) for n in (0, 1, 7, 1000, 3 * 1024**2)] == [zlib.crc32(bytes(n))
                                                                           for n in (0, 1, 7, 1000, 3 * 1024**2)]
    path = tmp_path / "pieni.xlsx"
    _zip_bomb(path, blocks=3, block=1024**2)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None                               # every CRC checks out
        assert zf.read("xl/worksheets/sheet1.xml") == bytes(3 * 1024**2)
        assert zf.read("xl/workbook.xml") == b"<workbook/>"
    _zip_bomb(path, blocks=3200)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 3200 * 1024**2
    assert path.stat().st_size < 5 * 1024**2


def _docx(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")


def _html(path):
    path.write_text("<html><body><table><tr><td>0001</td></tr></table></body></html>")


@pytest.mark.parametrize("make,words", [
    (_xls, ".xls"), (_encrypted, "salasanalla"), (_ods, ".ods"), (_csv, "CSV"), (_truncated, "katkennut"),
    (_lock_file, "lukitustiedosto"), (_empty, "tyhjä"), (_zip_bomb, "megatavuksi"), (_docx, "Word"),
    (_html, "HTML"),
], ids=["xls", "encrypted", "ods", "csv", "truncated", "lock-file", "empty", "zip-bomb", "docx", "html"])
def test_not_an_xlsx_is_refused_by_name(tmp_path, capsys, make, words):
    path = tmp_path / "rekisteri.xlsx"
    make(path)
    with pytest.raises(NotAWorkbook) as caught:
        load_checked(path, AS_OF)
    assert words in caught.value.message("fi")
    assert main(["check", str(path)]) == 3
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_missing_file_exit_3(tmp_path, capsys):
    assert main(["check", str(tmp_path / "ei-ole.xlsx")]) == 3
    assert "ei löydy" in capsys.readouterr().err


def test_refusal_in_english(tmp_path, capsys):
    _xls(tmp_path / "r.xlsx")
    assert main(["check", str(tmp_path / "r.xlsx"), "--lang", "en"]) == 3
    assert "old .xls file" in capsys.readouterr().err


# --- files that are not files, lock files, sheets wider or longer than their data -----------------------------

def _run(*argv: str, timeout: float = 120):
    """A real `muskari` process (a hang or an abort stays in it), with a timeout."""
    import sys

    from children import run

    return run([sys.executable, "-m", "toolkit", *argv], timeout=timeout)


@pytest.mark.parametrize("what", ["register", "forms"])
def test_a_fifo_is_refused_at_once_never_read(tmp_path, what):
    import os

    fifo = tmp_path / ("rekisteri.xlsx" if what == "register" else "lomakkeet.csv")
    os.mkfifo(fifo)
    register = fifo if what == "register" else build_register(tmp_path / "oikea.xlsx")
    argv = ["check", str(fifo)] if what == "register" else ["import-forms", str(register), str(fifo)]
    done = _run(*argv, "--as-of", AS_OF.isoformat(), timeout=60)
    assert done.returncode == 3, done.stderr
    assert "ei ole tavallinen tiedosto" in done.stderr and "Traceback" not in done.stderr


def test_a_folder_or_a_device_is_refused(tmp_path, capsys):
    assert main(["check", "/dev/null"]) == 3
    assert "ei ole tavallinen tiedosto" in capsys.readouterr().err


def _excel_lock(path):
    """What Excel writes: the user's name in a fixed-size record (usually 165 bytes)."""
    path.write_bytes(bytes([5]) + b"Maija" + b" " * 49 + bytes([5, 0]) + "Maija".encode("utf-16-le")
                     + b" \x00" * 49)


def _libreoffice_lock(path):
    path.write_text("Maija Virtanen,maija,maija-pc,30.11.2026 12:00,file:///home/maija/.config/libreoffice/4;",
                    encoding="utf-8")


@pytest.mark.parametrize("name, make, program", [
    ("~$rekisteri.xlsx", _excel_lock, "Excel"), ("~$rekisteri.xlsx", lambda p: p.write_bytes(b""), "Excel"),
    (".~lock.rekisteri.xlsx#", _libreoffice_lock, "LibreOffice"),
    (".~lock.rekisteri.xlsx#", lambda p: p.write_bytes(b""), "LibreOffice"),
], ids=["excel", "excel-empty", "libreoffice", "libreoffice-empty"])
def test_a_lock_file_given_as_the_register_is_named_a_lock_file(tmp_path, capsys, name, make, program):
    path = tmp_path / name
    make(path)
    assert main(["check", str(path)]) == 3
    err = capsys.readouterr().err
    assert "lukitustiedosto" in err and program in err and "rekisteri.xlsx" in err.replace(name, "")
    assert "tyhjä" not in err and "CSV" not in err


def _with_sheet_xml(path, sheet_part: str, change) -> None:
    """Rewrite one part of the package with ``change(xml_text)``."""
    source = path.with_name("alkuperainen.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == sheet_part:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    source.unlink()


def _oppilaat_part(path) -> str:
    from toolkit.xlsx.package import Package

    return Package.from_bytes(path.read_bytes()).sheets["Oppilaat"]


def _stray(ref: str):
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return lambda xml: xml.replace("</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is>'
                                                  f'</c></row></sheetData>')


@pytest.mark.parametrize("ref", ["A1048576", "XFD1048576", "XFD2", "N60000"])
def test_a_stray_value_far_from_the_data_is_one_finding(tmp_path, ref):
    path = build_register(tmp_path / "rekisteri.xlsx")
    _with_sheet_xml(path, _oppilaat_part(path), _stray(ref))
    done = _run("check", str(path), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert done.returncode == 1, done.stderr[-2000:]
    findings = __import__("json").loads(done.stdout)["findings"]
    assert [(f["sheet"], f["cell"], f["code"]) for f in findings] == [("Oppilaat", ref, "stray-cells")]
    assert "Traceback" not in done.stderr and len(done.stdout) < 10_000


@pytest.mark.slow
def test_annotating_a_register_with_a_stray_value_stays_small_and_quick(tmp_path):
    from memory import peak_rss

    path = build_register(tmp_path / "rekisteri.xlsx")
    _with_sheet_xml(path, _oppilaat_part(path), _stray("A1048576"))
    out = tmp_path / "merkitty.xlsx"
    import sys

    code, _out, err, peak = peak_rss([sys.executable, "-m", "toolkit", "check", str(path), "--annotate", str(out),
                                      "--as-of", AS_OF.isoformat()], timeout=300)
    assert code == 1 and out.exists(), err
    assert peak < 400, peak


def test_a_run_of_blank_rows_is_one_finding(tmp_path):
    path = edit(build_register(tmp_path / "r.xlsx"), lambda wb: wb["Opinnot"].insert_rows(3, amount=500))
    result = load_checked(path, AS_OF)[1]
    assert [(f.sheet, f.cell, f.code, f.value) for f in result.findings] == \
        [("Opinnot", "A3", "blank-rows", "3–502")]
    assert "500" in result.findings[0].message("fi")


# --- any input answered under 1 GB: parts padded under the size and ratio guards --------------------------------

def _padded(path, sheet_part: str, size: int, block: bytes) -> None:
    """Stream ``size`` bytes of ``block`` repeated into the sheet before </sheetData> (level 1: about 200:1,
    under the zip-bomb ratio guard; the file stays a few MB)."""
    source = path.with_name("alkuperainen.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != sheet_part:
                zout.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with zout.open(info.filename, "w", force_zip64=True) as member:
                member.write(head)
                piece = block * max(1, (16 * 1024 * 1024) // len(block))
                for _ in range(size // len(piece)):
                    member.write(piece)
                member.write(b"</sheetData>" + tail)
    source.unlink()


SPACES = b" " * 65528 + b"<!--x-->"                    # markup every 64 kB: no over-long run
TEXT = b"<row r=\"9000\"><c r=\"A9000\" t=\"inlineStr\"><is><t>"     # then one cell text with no end in sight


@pytest.mark.slow
@pytest.mark.parametrize("size, block, words", [
    (2_500 * 1024**2, SPACES, "megatavuksi"),           # padded to 2.5 GB: larger than any register's sheet
    (900 * 1024**2, SPACES, "täytetty"),                # padded to 900 MB: hardly a row for its size
    (600 * 1024**2, None, "32 767"),                    # one cell text of 600 MB
], ids=["padded-2.5GB", "padded-900MB", "text-600MB"])
def test_a_padded_sheet_is_answered_under_1_gb(tmp_path, size, block, words):
    import sys

    from memory import peak_rss

    path = build_register(tmp_path / "rekisteri.xlsx")
    part = _oppilaat_part(path)
    if block is None:
        _padded(path, part, size, b"x" * 4095 + b" ")
        _with_text_start(path, part)
    else:
        _padded(path, part, size, block)
    code, out, err, peak = peak_rss([sys.executable, "-m", "toolkit", "check", str(path), "--as-of",
                                     AS_OF.isoformat()], timeout=900)
    assert peak < 1024, peak
    assert "Traceback" not in err and code in ((3,) if words else (0, 1)), err[-2000:]
    if words:
        assert words in err and err.count("\n") == 1


def _with_text_start(path, part):
    """Open a cell text just before the padding (streamed: the part is never held whole)."""
    source = path.with_name("tekstiton.xlsx")
    path.rename(source)
    with zipfile.ZipFile(source) as zin, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info.filename, zin.read(info.filename))
                continue
            with zin.open(info) as src, zout.open(info.filename, "w", force_zip64=True) as member:
                first = True
                while chunk := src.read(16 * 1024 * 1024):
                    if first:
                        at = chunk.index(b"</row>", chunk.rindex(b"<row ")) + len(b"</row>")
                        chunk = chunk[:at] + TEXT + chunk[at:]
                        first = False
                    member.write(chunk)
    source.unlink()


# --- paths the register names: any OSError is a finding or a Finnish refusal, never a traceback ---------------

LONG = "todistukset/" + "ä" * 200 + ".docx"                          # 412 bytes: over any file system's 255
DEEP = "todistukset/" + "/".join(["kansio"] * 800) + "/a.docx"       # over PATH_MAX
ODD = "todistukset/a:b?*\\c<d>|e\".docx"


@pytest.mark.parametrize("command", ["check", "eligibility", "purge", "certificates", "teacher-lists", "emails",
                                     "access-request", "backup", "semester"])
def test_no_command_tracebacks_on_tiedosto_names_the_system_cannot_take(tmp_path, monkeypatch, command):
    from datetime import date

    certificates = [["2025-001", "0002", "muskaritodistus", date(2019, 6, 1), LONG],
                    ["2025-002", "0002", "päättötodistus", date(2020, 6, 1), DEEP],
                    ["2025-003", "0003", "muskaritodistus", date(2012, 6, 1), ODD]]
    path = build_register(tmp_path / "rekisteri.xlsx", rows={"Todistukset": certificates})
    monkeypatch.setenv("MUSKARI_BACKUP_PASSWORD", "kissa-istuu-puussa-42")
    argv = {"teacher-lists": ["--out", str(tmp_path / "opet")],
            "access-request": ["--student", "0002", "--out", str(tmp_path / "vastaus.xlsx")],
            "backup": ["--to", str(tmp_path / "tikku"), "--with-documents"],
            "semester": ["--out", str(tmp_path / "lukukausi")]}.get(command, [])
    done = _run(command, str(path), *argv, "--as-of", AS_OF.isoformat(), timeout=300)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1, 3), done.stderr[-3000:]


@pytest.mark.parametrize("errno_, words", [(28, "levytila"), (13, "oikeu")], ids=["disk-full", "no-rights"])
def test_a_disk_that_fills_while_certificates_render_is_a_finnish_refusal(tmp_path, capsys, monkeypatch, errno_, words):
    from test_certificates import SETTINGS, school

    from toolkit.office import docx_templates

    register = build_register(tmp_path / "rekisteri.xlsx", school(), settings=SETTINGS)
    before = register.read_bytes()
    real, calls = docx_templates.create_private, []

    def filling(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno_, "No space left on device" if errno_ == 28 else "Permission denied")
        return real(path, data)

    monkeypatch.setattr(docx_templates, "create_private", filling)
    code = main(["certificates", str(register), "--apply", "--as-of", "2026-06-01"])
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err and words in err.casefold(), err
    assert "Mitään todistusta ei annettu" in err
    assert register.read_bytes() == before
    assert [p for p in (tmp_path / "todistukset").rglob("*")] == []
