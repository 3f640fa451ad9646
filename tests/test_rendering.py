"""Rendering: sandbox, autoescape, strict variables, template checks, equivalence with plain docxtpl."""

from __future__ import annotations

import stat
import sys
import unicodedata
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.model.errors import TemplateProblem
from toolkit.office.docx_templates import (
    XML_ILLEGAL,
    document_text,
    load_template,
    render_documents,
    render_docx,
    render_with_docxtpl,
)
from toolkit.rules.certificate_context import CONTEXT_VARIABLES, TEMPLATE_FILES, sample_context

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TRICKY = "Å & <b>Ö</b> \"lainaus\" 'heitto' " + unicodedata.normalize("NFD", "Äänekoski Jyväskylä") + " 🎻"


def make_template(path: Path, paragraphs) -> Path:
    """A .docx whose paragraphs are lists of runs: a run is text or (text, bold)."""
    doc = Document()
    for runs in paragraphs:
        p = doc.add_paragraph()
        for run in runs if isinstance(runs, list) else [runs]:
            text, bold = run if isinstance(run, tuple) else (run, False)
            p.add_run(text).bold = bold
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def compiled():
    return {kind: load_template(TEMPLATES / name) for kind, name in TEMPLATE_FILES.items()}


def test_committed_templates_pass_their_checks_and_use_only_known_variables(compiled):
    for template in compiled.values():
        assert template.variables <= CONTEXT_VARIABLES
        assert {"nimi", "syntymaaika", "osat", "paikkakunta", "paivamaara", "allekirjoittaja", "nimike"} \
            <= template.variables


def test_final_certificate_template_carries_every_required_item(compiled):
    assert {"jarjestaja", "koulu", "taiteenala", "opiskeluaika", "jarjestamisperuste", "opetussuunnitelma",
            "perusteet", "yhteiset_vaaditaan", "teemat_vaaditaan"} <= compiled["päättötodistus"].variables
    text = document_text(render_docx(compiled["päättötodistus"], sample_context()))
    for words in ("PÄÄTTÖTODISTUS", "Koulutuksen järjestäjä:", "Oppilaitos:", "Taiteenala: musiikki",
                  "Syntymäaika:", "Opiskeluaika:", "Yhteiset opinnot", "Teemaopinnot", "(koulun leima)",
                  "Opetuksen järjestämisperuste:", "Opetussuunnitelma:", "perusteet 2017"):
        assert words in text


def test_templates_are_reproducible(tmp_path):
    sys.path.insert(0, str(TEMPLATES))
    try:
        from build_templates import build_all
    finally:
        sys.path.remove(str(TEMPLATES))
    for built in build_all(tmp_path):
        assert built.read_bytes() == (TEMPLATES / built.name).read_bytes(), built.name


@pytest.mark.parametrize("kind", list(TEMPLATE_FILES))
def test_compiled_rendering_gives_the_same_text_as_plain_docxtpl(compiled, kind, tmp_path):
    context = sample_context() | {"nimi": TRICKY}
    render_with_docxtpl(TEMPLATES / TEMPLATE_FILES[kind], context, tmp_path / "plain.docx")
    fast = render_docx(compiled[kind], context)
    assert document_text(fast) == document_text(tmp_path / "plain.docx")


@pytest.mark.parametrize("key", ["nimi", "koulu", "jarjestamisperuste", "allekirjoittaja"])
def test_markup_characters_nfd_and_emoji_survive_in_names_and_settings(compiled, key):
    text = document_text(render_docx(compiled["päättötodistus"], sample_context() | {key: TRICKY}))
    assert TRICKY in text                      # exactly as given: no escaping visible, NFD kept, emoji kept


def test_characters_xml_cannot_hold_are_dropped_not_fatal(compiled):
    text = document_text(render_docx(compiled["muskaritodistus"], sample_context() | {"nimi": "Ai\x01no\x1f Ö"}))
    assert "Oppilas: Aino Ö" in text


def test_unit_names_are_escaped_inside_table_loops(compiled):
    ctx = sample_context()
    ctx["osat"] = [{"nimi": "Yhteiset <opinnot>", "yhteensa": "1 h", "opinnot": [{"nimi": "R&B & <jazz>",
                                                                                    "laajuus": "1 h"}]}]
    assert "R&B & <jazz> | 1 h" in document_text(render_docx(compiled["osallistumistodistus"], ctx))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\t\n\r\x07\x0c"),
                    min_size=1, max_size=40))
def test_property_any_text_renders_and_comes_out_intact(compiled, name):
    # (tab, line break, \a and \f become Word's own elements, as docxtpl's listing rules say)
    text = document_text(render_docx(compiled["muskaritodistus"], sample_context() | {"nimi": name}))
    assert "Oppilas: " + XML_ILLEGAL.sub("", name) + "\n" in text


# --- bad templates ---------------------------------------------------------------------------------

BAD = [
    ("typo", [["Oppilas: {{ nimii }}"]], ["tuntematon muuttuja 'nimii'", "{{ nimii }}"]),
    ("python-internals", [["{{ cycler.__init__.__globals__ }}"]], ["tuntematon muuttuja 'cycler'",
                                                                   "{{ cycler.__init__.__globals__ }}"]),
    ("dunder-on-a-value", [["{{ nimi.__class__.__mro__ }}"]], ["Pythonin sisäisiä", "__class__"]),
    ("format-escape", [["{{ nimi.format.__globals__ }}"]], ["Pythonin sisäisiä"]),
    ("field-typo", [["{%p for osa in osat %}"], ["{{ osa.nimii }}"], ["{%p endfor %}"]],
     ["tuntematon kenttä 'nimii'", "{{ osa.nimii }}"]),
    ("curly-quotes", [["{{ nimi if nimi else “tyhjä” }}"]], ["kaarevia lainausmerkkejä"]),
    ("split-formatting", [[("{{ syntymä", False), ("aika }}", True)]], ["eri muotoilu", "{{ syntymäaika }}"]),
    ("unclosed", [["Oppilas: {{ nimi"]], ["jää kesken", "{{ nimi"]),
    ("syntax", [["{% if nimi %}ilman loppua"]], ["ei ole kelvollinen"]),
    ("safe-filter", [["{{ nimi|safe }}"]], ["ei ole kelvollinen", "safe"]),
    ("autoescape-off", [["{% autoescape false %}{{ nimi }}{% endautoescape %}"]], ["suojauksen"]),
]


@pytest.mark.parametrize("paragraphs, words", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_template_fails_clearly_naming_template_and_tag(tmp_path, paragraphs, words):
    path = make_template(tmp_path / "päättötodistus.docx", paragraphs)
    with pytest.raises(TemplateProblem) as caught:
        load_template(path)
    message = caught.value.message("fi")
    assert message.startswith("Todistuspohja päättötodistus.docx: ")
    for w in words:
        assert w in message
    assert caught.value.message("en").startswith("Certificate template päättötodistus.docx: ")


def test_a_tag_split_across_runs_with_the_same_formatting_is_accepted(tmp_path):
    path = make_template(tmp_path / "t.docx", [[("Oppilas: {{ ni", True), ("mi }}", True)]])
    assert "Oppilas: Aino" in document_text(render_docx(load_template(path), sample_context() | {"nimi": "Aino"}))


def test_not_a_docx_and_a_missing_template(tmp_path):
    fake = tmp_path / "muskaritodistus.docx"
    fake.write_text("ei Word-tiedosto")
    with pytest.raises(TemplateProblem, match="ei ole Word-asiakirja"):
        load_template(fake)
    with pytest.raises(TemplateProblem, match="ei löydy"):
        load_template(tmp_path / "puuttuu.docx")


def test_sandbox_blocks_internals_even_for_allowed_variables(compiled):
    # the committed templates render; a value that tries attribute tricks is only text
    text = document_text(render_docx(compiled["muskaritodistus"],
                                     sample_context() | {"nimi": "{{ cycler.__init__.__globals__ }}"}))
    assert "Oppilas: {{ cycler.__init__.__globals__ }}" in text


# --- batches ---------------------------------------------------------------------------------------

def test_parallel_batch_writes_private_files_with_the_same_text_as_serial(compiled, tmp_path):
    jobs_a, jobs_b = [], []
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for i in range(45):
        ctx = sample_context() | {"nimi": f"Oppilas {i} {TRICKY}", "todistusnumero": f"2026-{i:03d}"}
        kind = list(TEMPLATE_FILES)[i % 3]
        jobs_a.append((kind, ctx, str(tmp_path / "a" / f"{i}.docx")))
        jobs_b.append((kind, ctx, str(tmp_path / "b" / f"{i}.docx")))
    done = []
    assert render_documents(compiled, jobs_a, workers=2, progress=done.append) == 45
    assert sum(done) == 45
    render_documents(compiled, jobs_b, workers=1)
    for i in range(45):
        a, b = tmp_path / "a" / f"{i}.docx", tmp_path / "b" / f"{i}.docx"
        assert stat.S_IMODE(a.stat().st_mode) == 0o600
        assert document_text(a) == document_text(b)
        assert f"Oppilas {i} {TRICKY}" in document_text(a)


def test_never_overwrites_an_existing_file(compiled, tmp_path):
    dest = tmp_path / "x.docx"
    dest.write_bytes(b"owner's file")
    with pytest.raises(FileExistsError):
        render_documents(compiled, [("muskaritodistus", sample_context(), str(dest))], workers=1)
    assert dest.read_bytes() == b"owner's file"


def test_rendered_zip_is_valid_and_keeps_every_template_member(compiled):
    import io
    import zipfile

    data = render_docx(compiled["päättötodistus"], sample_context())
    with zipfile.ZipFile(io.BytesIO(data)) as rendered, zipfile.ZipFile(TEMPLATES / "päättötodistus.docx") as tpl:
        assert rendered.testzip() is None
        assert rendered.namelist() == tpl.namelist()
        changed = [n for n in tpl.namelist() if rendered.read(n) != tpl.read(n)]
    assert changed == ["word/document.xml", "word/footer1.xml"]
