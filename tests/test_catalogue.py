"""The one message catalogue holds every sentence: no inline Finnish/English pair comes back, every code the
toolkit says exists in both languages, every entry is said somewhere, and every counted sentence says 1 in
the singular ("1 todistus", "1 certificate") and 2 in the plural."""

from __future__ import annotations

import ast
import re
import string
from functools import cache
from pathlib import Path

import pytest

from toolkit.model.messages import LANGS, Phrase, Said, catalogue, count_code, say, say_count

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "toolkit").rglob("*.py"), *(ROOT / "workbook_schema").rglob("*.py")])
CATALOGUE = catalogue()
CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
# the functions and classes whose first argument is a catalogue code
SAYERS = {"say", "say_count", "counted", "count_code", "Phrase", "make", "task", "spoken", "severity_of", "problem",
          "_refuse", "_failed", "not_a_backup", "save_problem", "_phrase", "_os_problem"}
COUNTED = {"say_count", "counted", "count_code"}          # CODE-one and CODE-many must both exist


@cache
def trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES}


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def error_classes(modules: dict[Path, ast.Module]) -> set[str]:
    """MuskariError and every class that derives from it, anywhere in ``modules``."""
    bases = {}
    for tree in modules.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
    found = {"MuskariError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _name(call: ast.Call) -> str:
    return getattr(call.func, "id", getattr(call.func, "attr", ""))


def _text(node) -> str | None:
    """A string literal's text (an f-string's constant parts), None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


# --- no inline pair comes back ---------------------------------------------------------------------

FINNISH = re.compile(r"[äöåÄÖÅ]|\b(?:ja|ei|on|tai|rivi|oppilas|tiedosto|välilehti|kansio|todistus|kirjoita|tarkista)"
                     r"\w*\b", re.IGNORECASE)
ENGLISH = re.compile(r"\b(?:the|and|or|is|are|not|no|of|to|file|row|sheet|folder|student|certificate|check|write)\b",
                     re.IGNORECASE)
LANGUAGE_CODES = {"fi", "en"}


def _is_language_test(test: ast.expr) -> bool:
    return bool(re.search(r"""['"](?:en|fi)['"]|\blang\b|\ben\b""", ast.unparse(test)))


def _looks_like_a_pair(first: str, second: str) -> bool:
    """A Finnish sentence or word beside its English twin: ("Tiedosto", "File"), ("rivin poisto", "delete row")."""
    if first == second or not first.strip() or not second.strip():
        return False
    finnish, english = FINNISH.search(first) and not FINNISH.search(second), ENGLISH.search(second)
    return bool(finnish and (english or " " in second or second[:1].isupper() or "'" in second))


def inline_pairs(modules: dict[Path, ast.Module]) -> list[str]:
    errors = error_classes(modules)
    found = []
    for path, tree in modules.items():
        for node in ast.walk(tree):
            where = f"{_rel(path)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and _name(node) in errors:
                first = node.args[0] if node.args else None
                if first is not None and _text(first) is not None and not CODE.match(_text(first) or ""):
                    found.append(f"{where}: {_name(node)} with an inline sentence")
                if len(node.args) >= 2 and all(_text(a) is not None for a in node.args[:2]):
                    found.append(f"{where}: {_name(node)} with two sentences")
            elif isinstance(node, ast.IfExp) and _is_language_test(node.test):
                texts = {_text(node.body), _text(node.orelse)}
                if None not in texts and not texts <= LANGUAGE_CODES | {""}:
                    found.append(f"{where}: a sentence chosen by language")
            elif isinstance(node, ast.If) and _is_language_test(node.test):
                said = [t for n in ast.walk(ast.Module(body=node.body, type_ignores=[]))
                        if (t := _text(n)) and " " in t and FINNISH.search(t) or (t and ENGLISH.search(t) and " " in t)]
                if said:
                    found.append(f"{where}: a sentence in a branch on the language")
            elif isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2:
                texts = [_text(e) for e in node.elts]
                if None not in texts and _looks_like_a_pair(*texts):
                    found.append(f"{where}: {texts!r}")
            elif isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if LANGUAGE_CODES <= keys:
                    found.append(f"{where}: a dict by language")
            elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
                names = [a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]]
                if any(n in LANGUAGE_CODES or n.endswith(("_fi", "_en")) for n in names):
                    found.append(f"{where}: parameters for each language")
    return found


def test_no_inline_finnish_and_english_pairs():
    """Every sentence is a catalogue code: no MuskariError("...", "..."), no `"x" if lang == "en" else "y"`,
    no ("Finnish", "English") tuples or {"fi": ..., "en": ...} dicts, no fi/en parameters. (workbook_schema
    keeps its data dictionary, each column's meaning in both languages, as declared data below the toolkit.)"""
    toolkit = {path: tree for path, tree in trees().items() if path.is_relative_to(ROOT / "toolkit")}
    assert inline_pairs(toolkit) == []


@pytest.mark.parametrize("source", [
    'raise Refused("Tiedosto puuttuu.", "The file is missing.")',
    'raise FileProblem(f"Kansiota {x} ei ole.")',
    'word = "row" if lang == "en" else "rivi"',
    'HEADERS = {"fi": ("Nimi",), "en": ("Name",)}',
    'NAMES = {"shapes": ("muodot tai tekstiruudut", "shapes or text boxes")}',
    'def _failed(what_fi, what_en): pass',
    'if lang == "en":\n    text = "The register is valid."',
], ids=["two-strings", "inline-sentence", "ifexp", "dict", "tuple", "parameters", "if-branch"])
def test_the_scan_finds_each_kind_of_inline_pair(source):
    """The scan is not blind: each form it forbids, planted in a module, is found."""
    planted = ROOT / "toolkit" / "planted.py"
    assert [line for line in inline_pairs({**trees(), planted: ast.parse(source)})
            if line.startswith("toolkit/planted.py")]


# --- every code said exists, every entry is said ---------------------------------------------------

def said_codes() -> dict[str, set[str]]:
    """Codes given literally where a code is said (say, Phrase, errors, findings, progress bars, ...): code ->
    the places; a counted code stands for its CODE-one and CODE-many."""
    errors = error_classes(trees())
    out: dict[str, set[str]] = {}
    for path, tree in trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (_name(node) in SAYERS or _name(node) in errors) and node.args:
                first = node.args[0]
                text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
                if text and CODE.match(text):
                    codes = [text] if _name(node) not in COUNTED else [f"{text}-one", f"{text}-many"]
                    for code in codes:
                        out.setdefault(code, set()).add(f"{_rel(path)}:{node.lineno}")
    return out


def test_every_code_said_is_in_the_catalogue_in_both_languages():
    missing = {code: places for code, places in said_codes().items() if code not in CATALOGUE}
    assert missing == {}
    for code in said_codes():
        entry = CATALOGUE[code]
        assert entry.fi.strip() and entry.en.strip(), code


def _pattern(node: ast.JoinedStr) -> re.Pattern | None:
    """f"purge-rule-{rule}" -> ^purge-rule-[a-z0-9-]+$ (None when it does not start as a code does)."""
    parts = []
    for value in node.values:
        parts.append(re.escape(value.value) if isinstance(value, ast.Constant) else r"[a-z0-9_]+(?:-[a-z0-9_]+)*")
    if not (isinstance(node.values[0], ast.Constant) and re.match(r"^[a-z0-9]+-", node.values[0].value)):
        return None
    return re.compile("^" + "".join(parts) + "$")


def used_entries() -> set[str]:
    """Entries the toolkit can say: a literal naming one (a table's headings, a dict of codes), its counted base,
    an f-string pattern that makes it (f"status-{key}"), and argparse's own messages (looked up by their text)."""
    literals, patterns = set(), []
    for tree in trees().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and (pattern := _pattern(node)):
                patterns.append(pattern)
    used = set()
    for code in CATALOGUE:
        base = re.sub(r"-(one|many)$", "", code)
        if code in literals or base in literals or code.startswith("argparse-") \
                or any(p.match(code) or p.match(base) for p in patterns):
            used.add(code)
    return used


def test_every_entry_is_said_somewhere():
    """No dead entries: a sentence nobody says is a sentence nobody checks."""
    assert sorted(set(CATALOGUE) - used_entries()) == []


def test_every_entry_has_both_languages_and_its_placeholders_in_both():
    for code, entry in CATALOGUE.items():
        assert entry.fi.strip() and entry.en.strip(), code
        if code.startswith("argparse-"):
            continue                         # argparse fills its own %(...)s placeholders
        fields = [{name for _t, name, _s, _c in string.Formatter().parse(text) if name} for text in (entry.fi, entry.en)]
        assert fields[0] == fields[1], code


# --- counts: singular after 1 ----------------------------------------------------------------------

COUNTED_BASES = sorted({code[:-4] for code in CATALOGUE if code.endswith("-one") and not code.startswith("argparse-")})
# Finnish after a number: 1 takes the nominative ("1 todistus"), 2 and more the partitive ("2 todistusta"). These
# partitives (the nouns the toolkit counts, and an adjective before one) must never follow a 1, nor a plural
# relative ("1 oppilaalle, joiden").
FI_PARTITIVES = ("todistusta", "tiedostoa", "osoitetta", "riviä", "oppilasta", "vastausta", "kuukautta", "päivää",
                 "toimenpidettä", "arvoa", "kohtaa", "varoitusta", "virhettä", "opintoriviä", "muuta", "ongelmaa",
                 "asiakirjaa", "todistusasiakirjaa", "versiota", "varmuuskopiota", "perhettä", "kuvaa", "henkilöä",
                 "merkkiä", "solua", "todistusriviä", "aiempaa", "vanhentunutta", "tiedostoa,")
FI_PLURAL_AFTER_ONE = re.compile(r"(?<![\d,.])\b1 (?:\w+ )?(?:" + "|".join(FI_PARTITIVES) + r")(?!\w)"
                                 r"|\b1 [\w-]+(?: \w+)?, (?:joiden|jotka|joissa|joilta)\b")
EN_PLURAL_AFTER_ONE = re.compile(r"\b1 (?:\w+ )?(?:files|rows|students|certificates|documents|addresses|families|"
                                 r"errors|warnings|actions|places|values|days|months|responses|charts|backups|"
                                 r"versions|problems|people)\b|\(s\)")


def _words(code: str) -> dict:
    """Every placeholder of the entry, given (a counted sentence's other words as short placeholders)."""
    entry = CATALOGUE[code]
    names = {name for text in (entry.fi, entry.en) for _t, name, _s, _c in string.Formatter().parse(text) if name}
    return {name: f"<{name}>" for name in names}


@pytest.mark.parametrize("base", COUNTED_BASES)
def test_counted_sentences_are_singular_after_one_and_plural_after_two(base):
    assert f"{base}-many" in CATALOGUE, f"{base}-one has no {base}-many"
    words = {**_words(f"{base}-one"), **_words(f"{base}-many")}
    words.pop("count", None)
    differ = []
    for lang in LANGS:
        one, two = say_count(base, lang, 1, **words), say_count(base, lang, 2, **words)
        assert "{count}" not in CATALOGUE[f"{base}-one"].text(lang), (base, lang)
        differ.append(one != two.replace("2", "1"))
    assert any(differ), base          # the words differ, not only the digit ("1 oppilaalle" is "2 oppilaalle")
    fi_one, en_one = say_count(base, "fi", 1, **words), say_count(base, "en", 1, **words)
    assert not FI_PLURAL_AFTER_ONE.search(fi_one), fi_one
    assert not EN_PLURAL_AFTER_ONE.search(en_one), en_one


def test_no_sentence_counts_without_its_singular():
    """A placeholder that counts ({count}) is said through CODE-one/CODE-many: never "{count} todistusta" alone."""
    for code, entry in CATALOGUE.items():
        if "{count}" in entry.fi + entry.en and not code.endswith("-many") and not code.startswith("argparse-"):
            assert re.search(r"\(\{count\}\)|\{count\} (?:in all|yhteensä)|yhteensä \{count\}|\(yhteensä \{count\}\)|"
                             r"\(\{count\} in all\)|irrallisia soluja: \{count\}|stray cells: \{count\}|"
                             r"\(\{count\} riviä\)|\(\{count\} rows\)", entry.fi + " " + entry.en), code


def test_the_count_helpers_pick_one_and_many():
    assert count_code("purge-n-days", 1) == "purge-n-days-one"
    assert count_code("purge-n-days", 0) == count_code("purge-n-days", 2) == "purge-n-days-many"
    assert say_count("purge-n-days", "fi", 1) == "1 päivä" and say_count("purge-n-days", "fi", 30) == "30 päivää"


# --- words said in the sentence's language ---------------------------------------------------------

def test_a_phrase_is_said_with_its_own_words_in_the_sentence_language():
    phrase = Phrase("purge-n-days-many", count=30)
    assert say("backup-expired-deleted", "fi", days=phrase) == "poistettu: vanhempi kuin 30 päivää"
    assert say("backup-expired-deleted", "en", days=phrase) == "deleted: older than 30 days"
    assert say(phrase, "en") == "30 days"


def test_words_made_elsewhere_are_said_in_the_sentence_language():
    from toolkit.model.errors import FileProblem

    inner = FileProblem("file-missing", path="r.xlsx")
    outer = FileProblem("verify-failed", what=Phrase("verify-not-workbook", error=Said(inner.message)))
    assert "Tiedostoa r.xlsx ei löydy" in outer.message("fi") and "File r.xlsx does not exist" in outer.message("en")


# --- the catalogue's reader ------------------------------------------------------------------------

def test_the_fast_reader_reads_the_catalogue_exactly_as_tomllib_does():
    """`muskari --help` reads the catalogue with a reader of its plain shape; it must agree with tomllib, and give
    way to it (None) for any line beyond that shape."""
    import tomllib
    from importlib.resources import files

    from toolkit.model.messages import _read_plain

    text = files("toolkit.model").joinpath("messages.toml").read_text(encoding="utf-8")
    assert _read_plain(text) == tomllib.loads(text)
    assert _read_plain('[a-b]\nfi = "x \\"y\\" \\\\ z"\nen = "\\u00e4"\n') == {"a-b": {"fi": 'x "y" \\ z', "en": "ä"}}
    for other in ('[a-b]\nfi = """x"""\n', "[a-b]\nfi = 'x'\n", '[a-b]\nfi = "x"\nfi = "y"\n', '[a.b]\nfi = "x"\n',
                  '[a-b]\nfi = "x" # note\n', '[a-b]\n[a-b]\n'):
        assert _read_plain(other) is None, other


def test_an_error_crosses_a_process_boundary_whole():
    """Certificates render in worker processes: an error raised there is pickled by its code and words."""
    import pickle

    from toolkit.jobs.semester import SemesterStopped
    from toolkit.model.errors import FileProblem, TemplateProblem

    error = TemplateProblem("template-too-slow", template="päättötodistus.docx", seconds=30, tag="{{ x }}")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is TemplateProblem and again.code == error.code
    assert again.message("fi") == error.message("fi") and again.message("en") == error.message("en")
    assert str(again) == str(error)
    stopped = SemesterStopped("purge", ["check"], FileProblem("file-missing", path="x.xlsx"), applied=False)
    assert "Tiedostoa x.xlsx ei löydy" in stopped.message("fi") and "File x.xlsx does not exist" in stopped.message("en")
    assert stopped.step == "purge" and "(poistot ja säilytysajat)" in stopped.message("fi")
