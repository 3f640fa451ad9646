"""Rendering certificates with docxtpl's own render: every part of a template filled (or the template
refused naming the part), sandbox, autoescape, strict variables, the template checks, and the limits
an owner-edited template runs under (hostile templates run in a child process with a memory fence)."""

from __future__ import annotations

import io
import os
import resource
import stat
import subprocess
import sys
import textwrap
import time
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from restyled import BILLION_LAUGHS, XXE, part, restyle, visible_text

from toolkit.model.errors import TemplateProblem
from toolkit.office.docx_templates import (
    XML_ILLEGAL,
    Limits,
    document_text,
    load_template,
    make_environment,
    render_documents,
    render_docx,
)
from toolkit.rules.certificate_context import CONTEXT_VARIABLES, TEMPLATE_FILES, sample_context

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRICKY = "Å & <b>Ö</b> \"lainaus\" 'heitto' " + unicodedata.normalize("NFD", "Äänekoski Jyväskylä") + " 🎻"
# docxtpl's own escapes for a literal {{ in a template: in a value they must print as typed
ESCAPES = "Noa {_{ 7*7 }_} {_% if %_} {{ 7*7 }}"
RESTYLED = {"header": "Oppilas {{ nimi }} ({{ oppilasnumero }})", "footer": "Sivun alareuna: {{ todistusnumero }}",
            "footnote": "Opetussuunnitelma: {{ opetussuunnitelma }}",
            "core": {"title": "{{ todistus }}: {{ nimi }}", "subject": "{{ koulu }}"}}


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


@pytest.fixture(scope="module")
def restyled(tmp_path_factory):
    """The final certificate restyled with tags in a header, the footer, a footnote, title and subject."""
    path = tmp_path_factory.mktemp("restyled") / "päättötodistus.docx"
    return restyle(TEMPLATES / "päättötodistus.docx", path, **RESTYLED)


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


# --- every part, by docxtpl's own render -------------------------------------------------------------

def test_every_part_of_a_restyled_template_is_filled(restyled):
    template = load_template(restyled)
    assert {"nimi", "oppilasnumero", "todistusnumero", "opetussuunnitelma", "todistus", "koulu"} <= template.variables
    context = sample_context() | {"nimi": TRICKY, "oppilasnumero": "0042", "todistusnumero": "2026-017",
                                  "opetussuunnitelma": "OPS & <liite>", "koulu": "Annan <Muskari> & co"}
    data = render_docx(template, context)
    assert visible_text(part(data, "word/header1.xml")) == f"Oppilas {TRICKY} (0042)"
    assert "Sivun alareuna: 2026-017" in visible_text(part(data, "word/footer1.xml"))
    assert "Opetussuunnitelma: OPS & <liite>" in visible_text(part(data, "word/footnotes.xml"))
    core = Document(io.BytesIO(data)).core_properties
    assert (core.title, core.subject) == (f"Päättötodistus: {TRICKY}", "Annan <Muskari> & co")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                assert b"{{" not in z.read(name) and b"{%" not in z.read(name), name


def test_a_value_holding_docxtpls_escapes_prints_as_typed_everywhere(restyled):
    data = render_docx(load_template(restyled), sample_context() | {"nimi": ESCAPES, "koulu": ESCAPES})
    assert f"Oppilas: {ESCAPES}" in document_text(data)
    assert visible_text(part(data, "word/header1.xml")).startswith(f"Oppilas {ESCAPES} (")
    assert Document(io.BytesIO(data)).core_properties.subject == ESCAPES


@pytest.mark.parametrize("kind", [*TEMPLATE_FILES, "restyled"])
def test_the_documents_xml_parts_are_exactly_what_docxtpls_render_makes(compiled, restyled, kind):
    """No renderer of our own: every XML part equals docxtpl's render + save with the same environment
    (core properties aside: docxtpl would XML-escape plain text there, so we give it a text environment)."""
    path = restyled if kind == "restyled" else TEMPLATES / TEMPLATE_FILES[kind]
    template = load_template(path) if kind == "restyled" else compiled[kind]
    context = sample_context() | {"nimi": TRICKY}
    ours = render_docx(template, context)
    plain = DocxTemplate(str(path))
    plain.render(context, jinja_env=make_environment(), autoescape=True)
    buf = io.BytesIO()
    plain.save(buf)
    with zipfile.ZipFile(io.BytesIO(ours)) as a, zipfile.ZipFile(buf) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name != "docProps/core.xml":
                assert a.read(name) == b.read(name), name


UNFILLABLE = [
    ("custom-property", {"custom": {"Oppilas": "{{ nimi }}"}}, "docProps/custom.xml", "{{ nimi }}"),
    ("endnote", {"endnote": "Loppuviite {{ koulu }}"}, "word/endnotes.xml", "{{ koulu }}"),
    ("keywords", {"core": {"keywords": "todistus, {{ nimi }}"}}, "docProps/core.xml", "{{ nimi }}"),
    ("category", {"core": {"category": "{% if nimi %}x{% endif %}"}}, "docProps/core.xml", "{% if nimi %}"),
]


@pytest.mark.parametrize("extra, part_name, tag", [u[1:] for u in UNFILLABLE], ids=[u[0] for u in UNFILLABLE])
def test_a_tag_where_docxtpl_cannot_fill_it_refuses_the_template_naming_part_and_tag(tmp_path, extra, part_name, tag):
    path = restyle(TEMPLATES / "päättötodistus.docx", tmp_path / "päättötodistus.docx", **extra)
    with pytest.raises(TemplateProblem) as caught:
        load_template(path)
    message = caught.value.message("fi")
    assert message.startswith("Todistuspohja päättötodistus.docx: ")
    assert part_name in message and tag in message
    assert part_name in caught.value.message("en")


# --- values -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["nimi", "koulu", "jarjestamisperuste", "allekirjoittaja"])
def test_markup_characters_nfd_and_emoji_survive_in_names_and_settings(compiled, key):
    text = document_text(render_docx(compiled["päättötodistus"], sample_context() | {key: TRICKY}))
    assert TRICKY in text                      # exactly as given: no escaping visible, NFD kept, emoji kept


def test_characters_xml_cannot_hold_are_dropped_not_fatal(compiled):
    text = document_text(render_docx(compiled["muskaritodistus"], sample_context() | {"nimi": "Ai\x01no\x1f Ö"}))
    assert "Oppilas: Aino Ö" in text


def test_unit_names_are_escaped_inside_table_loops(compiled):
    ctx = sample_context()
    ctx["osat"] = [{"nimi": "Yhteiset <opinnot>", "yhteensa": "1 h", "opinnot": [{"nimi": "R&B & <jazz> {_{",
                                                                                    "laajuus": "1 h"}]}]
    assert "R&B & <jazz> {_{ | 1 h" in document_text(render_docx(compiled["osallistumistodistus"], ctx))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\t\n\r\x07\x0c"),
                    min_size=1, max_size=40))
def test_property_any_text_renders_and_comes_out_intact(compiled, name):
    # (tab, line break, \a and \f become Word's own elements, as docxtpl's listing rules say)
    text = document_text(render_docx(compiled["muskaritodistus"], sample_context() | {"nimi": name}))
    assert "Oppilas: " + XML_ILLEGAL.sub("", name) + "\n" in text


def test_sandbox_blocks_internals_even_for_allowed_variables(compiled):
    text = document_text(render_docx(compiled["muskaritodistus"],
                                     sample_context() | {"nimi": "{{ cycler.__init__.__globals__ }}"}))
    assert "Oppilas: {{ cycler.__init__.__globals__ }}" in text


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
    ("safe-filter", [["{{ nimi|safe }}"]], ["suodatinta 'safe'"]),
    ("autoescape-off", [["{% autoescape false %}{{ nimi }}{% endautoescape %}"]], ["suojauksen"]),
    ("include", [["{% include 'muu.docx' %}"]], ["include", "ei ole sallittu"]),
    ("import", [["{% import 'makrot' as m %}"]], ["import", "ei ole sallittu"]),
    ("from-import", [["{% from 'makrot' import m %}"]], ["import", "ei ole sallittu"]),
    ("extends", [["{% extends 'pohja' %}"]], ["extends", "ei ole sallittu"]),
    ("method-call", [["{{ nimi.center(40) }}"]], ["center", "ei ole sallittu"]),
    ("string-format", [["{{ '%s' % nimi }}"]], ["%", "ei ole sallittu"]),
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


def test_owner_templates_may_use_loops_filters_and_macros_within_the_limits(tmp_path):
    path = make_template(tmp_path / "t.docx", [
        ["{% macro rivi(x) %}[{{ x|upper }}]{% endmacro %}{{ rivi(nimi) }} {{ etunimi ~ ' ' ~ sukunimi|lower }}"],
        ["{{ '-' * 20 }} {{ 2 ** 10 }} {{ (osat|length) + 1 }} {{ nimi.split(' ')|join('/') }} "
         "{{ etunimi|list|join('.') }} {{ 7|string + '!' }}"],
        ["{% for osa in osat %}{{ loop.index }}. {{ osa.nimi|replace('opinnot', 'op.') }} {% endfor %}"]])
    text = document_text(render_docx(load_template(path), sample_context()))
    assert text == ("[AINO ESIMERKKI] Aino esimerkki\n" + "-" * 20 + " 1024 3 Aino/Esimerkki A.i.n.o 7!\n"
                    "1. Yhteiset op. 2. Teemaop.\n")


def test_not_a_docx_and_a_missing_template(tmp_path):
    fake = tmp_path / "muskaritodistus.docx"
    fake.write_text("ei Word-tiedosto")
    with pytest.raises(TemplateProblem, match="ei ole Word-asiakirja"):
        load_template(fake)
    with pytest.raises(TemplateProblem, match="ei löydy"):
        load_template(tmp_path / "puuttuu.docx")


def test_the_time_limit_stops_a_render_that_takes_too_long(tmp_path):
    path = make_template(tmp_path / "t.docx", [["{% for a in nimi * 1000 %}{{ a }}{% endfor %}"]])
    load_template(path)                                                  # well within the default limits
    with pytest.raises(TemplateProblem, match="aikaraja"):
        load_template(path, limits=Limits(seconds=0.0))


# --- hostile templates: refused in Finnish, within 60 s and 1 GB ---------------------------------------

HOSTILE = [
    ("huge-string", {"body": ["{{ 'x' * 4000000000 }}"]}, "liian suure"),
    ("huge-string-reversed", {"body": ["{{ 4000000000 * nimi }}"]}, "liian suure"),
    ("huge-power-literal", {"body": ["{{ 9 ** 99999999 }}"]}, "liian suure"),
    ("huge-power", {"body": ["{% set n = 7 %}{{ n ** 99999999 }}"]}, "liian suure"),
    ("huge-sum", {"body": ["{% set a = 'x' * 90000 %}{{ a + a }}"]}, "liian suure"),
    ("doubling-concat", {"body": ["{% set a = nimi * 5000 %}" + "".join(
        f"{{% set a{i + 1} = a{i or ''} ~ a{i or ''} %}}" for i in range(40)) + "{{ a40 }}"]}, "liian suure"),
    ("nested-references", {"body": ["{% set s = nimi * 500 %}{% set a = [s, s, s, s, s, s, s, s, s] %}"
                                     "{% set b = [a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, b, b, b, b, b, b] %}"
                                     "{{ [c, c, c, c, c, c, c, c, c] }}"]},
     "liian suure"),
    ("format-width", {"body": ["{{ '{:>999999999}'.format(nimi) }}"]}, "ei ole sallittu"),
    ("filter-width", {"body": ["{{ nimi|center(999999999) }}"]}, "suodatinta 'center'"),
    ("long-loop", {"body": ["{% for a in 'x' * 90000 %}{% for b in 'x' * 90000 %}{% endfor %}{% endfor %}"]},
     "liian monta"),
    ("recursion", {"body": ["{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
                            "{{ f(60) }}"]}, "liian monta"),
    ("output", {"body": ["{% for a in 'x' * 90000 %}" + "{{ nimi * 5000 }}" + "{% endfor %}"]}, "liian pitkä"),
    ("buffered-output", {"body": ["{% macro m() %}{% for a in 'x' * 90000 %}{{ nimi * 5000 }}{% endfor %}"
                                  "{% endmacro %}{% set x = m() %}"]}, "liian pitkä"),
    ("buffered-literal", {"body": ["{% set x %}{% for a in 'x' * 90000 %}" + "L" * 50000 + "{% endfor %}{% endset %}"]},
     "liian pitkä"),
    ("recursive-loop", {"body": ["{% for x in osat recursive %}{{ loop(osat) }}{% endfor %}"]}, "loputtomasti"),
    ("include", {"body": ["{% include '/etc/passwd' %}"]}, "ei ole sallittu"),
    ("xxe-body", {"doctype": {"word/document.xml": XXE}}, "DOCTYPE"),
    ("xxe-footer", {"doctype": {"word/footer1.xml": XXE}}, "word/footer1.xml"),
    ("billion-laughs-styles", {"doctype": {"word/styles.xml": BILLION_LAUGHS}}, "word/styles.xml"),
    ("billion-laughs-core", {"doctype": {"docProps/core.xml": BILLION_LAUGHS}}, "docProps/core.xml"),
    ("billion-laughs-rels", {"doctype": {"word/_rels/document.xml.rels": BILLION_LAUGHS}}, "document.xml.rels"),
    ("billion-laughs-picture", {"replace": {"word/media/logo.svg": (
        f'<?xml version="1.0"?>{BILLION_LAUGHS}<svg xmlns="http://www.w3.org/2000/svg">&lol9;</svg>').encode()}},
     "word/media/logo.svg"),
]
FAST_HOSTILE = {"huge-string", "huge-power", "long-loop", "xxe-body", "billion-laughs-styles"}

CHILD = textwrap.dedent("""
    import sys
    from toolkit.model.errors import TemplateProblem
    from toolkit.office.docx_templates import load_template
    try:
        load_template(sys.argv[1])
    except TemplateProblem as problem:
        print(problem.message("fi"))
        sys.exit(3)
    print("accepted")
""")
GIB = 1 << 30


def run_fenced(argv: list[str], tmp_path: Path, **kwargs) -> tuple[subprocess.CompletedProcess, int]:
    """A child process under a 2 GiB address-space fence and a 60 s timeout; returns it and its own peak
    resident memory in bytes, as the operating system accounted it (os.wait4 on that child)."""
    def fence():
        resource.setrlimit(resource.RLIMIT_AS, (2 * GIB, 2 * GIB))

    out, err = tmp_path / "child.out", tmp_path / "child.err"
    with open(out, "w") as o, open(err, "w") as e:
        process = subprocess.Popen(argv, stdout=o, stderr=e, text=True, preexec_fn=fence, **kwargs)
    deadline = time.monotonic() + 60
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            raise AssertionError(f"{argv[-1]} did not finish within 60 s")
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    done = subprocess.CompletedProcess(argv, process.returncode, out.read_text(), err.read_text())
    return done, usage.ru_maxrss * 1024


@pytest.mark.parametrize("extra, words", [pytest.param(*h[1:], id=h[0], marks=[] if h[0] in FAST_HOSTILE
                                                       else [pytest.mark.slow]) for h in HOSTILE])
def test_a_hostile_template_is_refused_in_finnish_within_60_s_and_1_gb(tmp_path, extra, words):
    path = restyle(TEMPLATES / "päättötodistus.docx", tmp_path / "päättötodistus.docx", **extra)
    done, peak = run_fenced([sys.executable, "-c", CHILD, str(path)], tmp_path, cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 3, (done.stdout, done.stderr[-2000:])
    assert done.stdout.startswith("Todistuspohja päättötodistus.docx: ") and words in done.stdout, done.stdout
    assert peak < GIB


@pytest.mark.slow
def test_the_command_refuses_a_hostile_owner_template_with_exit_3_and_one_finnish_line(tmp_path):
    from factories import make_tables, student, study
    from registers import build_register

    tables = make_tables(students=[student("0001", birth=date(2019, 3, 1))],
                         studies=[study("0001", "Muskari 1", 30, date(2024, 5, 31)),
                                  study("0001", "Muskari 2", 30, date(2025, 5, 31))])
    register = build_register(tmp_path / "rekisteri.xlsx", tables, settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "A"})
    (tmp_path / "todistuspohjat").mkdir()
    restyle(TEMPLATES / "muskaritodistus.docx", tmp_path / "todistuspohjat" / "muskaritodistus.docx",
            body=["{{ nimi * 4000000000 }}"])
    before = register.read_bytes()
    done, peak = run_fenced([sys.executable, "-m", "toolkit", "certificates", str(register), "--apply",
                             "--as-of", "2026-06-01"], tmp_path, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 3, done.stderr[-2000:]
    assert done.stderr.startswith("muskari: Todistuspohja muskaritodistus.docx: ") and "liian suure" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert register.read_bytes() == before and not (tmp_path / "todistukset").exists()
    assert peak < GIB


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
    data = render_docx(compiled["päättötodistus"], sample_context())
    with zipfile.ZipFile(io.BytesIO(data)) as rendered, zipfile.ZipFile(TEMPLATES / "päättötodistus.docx") as tpl:
        assert rendered.testzip() is None
        assert sorted(rendered.namelist()) == sorted(tpl.namelist())
