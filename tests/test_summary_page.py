"""The semester summary as a page, `lukukausi/yhteenveto.html`: UTF-8, lang fi, every text escaped (names typed by
parents are inert), nothing loaded from the internet, black and white; and in a real browser (headless
Chromium) it renders with its plots, loads nothing from the network and shows the names as typed."""

from __future__ import annotations

import base64
import hashlib
import http.server
import os
import re
import shutil
import stat
import subprocess
import threading
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from children import run

from toolkit.cli.main import main

AS_OF = "2026-11-25"


class Page(HTMLParser):
    """The tags, attributes and text of a page, as a browser's parser reads them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)

    def all_text(self) -> str:
        return "".join(self.text)


class Trap(http.server.BaseHTTPRequestHandler):
    """A web server on this machine that records every request a page makes to it."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        Trap.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def trap():
    Trap.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def hostile_names(trap: str) -> tuple[str, str]:
    """A first and a last name a parent typed as markup (each within the forms' 100 characters)."""
    return f"<img src={trap}/e.png><script>fetch('{trap}/s')</script>", f"![x]({trap}/s.png)&amp;"


def forms_row(first: str, last: str) -> str:
    """A forms export (semicolons, quoted where an answer holds one) with one new child."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Etunimi", "Sukunimi", "Syntymäaika", "Huoltaja", "Sähköposti", "Jatkaa ensi lukukaudella"])
    writer.writerow([first, last, "3.3.2021", "Uusi Huoltaja", "uusi.perhe@example.fi", "kyllä"])
    return buffer.getvalue()


def run_semester(folder: Path, *extra: str) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
        return main(["semester", str(folder / "rekisteri.xlsx"), *extra, "--as-of", AS_OF])


@pytest.fixture(scope="module")
def semester(tmp_path_factory, trap):
    """A small register's semester run with a form answer: a new child whose names a parent typed as markup."""
    from factories import make_tables, student, study
    from registers import build_register

    folder = tmp_path_factory.mktemp("pieni")
    first, last = hostile_names(trap)
    build_register(folder / "rekisteri.xlsx",
                   make_tables(students=[student("0001"), student("0002", first="Eino", birth=date(2020, 5, 1))],
                               studies=[study("0001", hours=60), study("0002", hours=20)]),
                   settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Opettaja"})
    forms = folder / "lomakkeet.csv"
    forms.write_text(forms_row(first, last), encoding="utf-8")
    assert run_semester(folder, "--forms", str(forms), "--apply") == 0
    out = folder / "lukukausi"
    return {"folder": folder, "out": out, "page": out / "yhteenveto.html", "first": first, "last": last}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, trap):
    """The demo's semester run (every plot full of bars) with the same hostile form answer added."""
    folder = tmp_path_factory.mktemp("demo")
    first, last = hostile_names(trap)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
        assert main(["demo", str(folder), "--as-of", AS_OF]) == 0
    forms = folder / "lomakkeet.csv"
    forms.write_text(forms_row(first, last), encoding="utf-8")
    assert run_semester(folder, "--forms", str(forms), "--apply") == 0
    out = folder / "lukukausi"
    return {"folder": folder, "out": out, "page": out / "yhteenveto.html", "first": first, "last": last}


def test_the_page_is_written_beside_the_plots_privately_and_no_markdown(semester):
    page = semester["page"]
    assert page.is_file() and (semester["out"] / "kuvat").is_dir()
    assert stat.S_IMODE(page.stat().st_mode) & 0o077 == 0
    assert not (semester["out"] / "yhteenveto.md").exists()


def test_the_page_is_utf8_finnish_and_self_contained(semester):
    raw = semester["page"].read_bytes()
    text = raw.decode("utf-8")                                       # strict: the page is UTF-8
    page = Page(text)
    tags = [tag for tag, _ in page.tags]
    assert text.startswith("<!DOCTYPE html>")
    assert ("html", {"lang": "fi"}) in page.tags
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert "Lukukausiajo 25.11.2026" in page.all_text() and "Todistustilanne" in page.all_text()
    assert not {"script", "link", "iframe", "object", "embed", "form", "base", "audio", "video", "source"} & set(tags)
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)           # no event handlers
        for value in attrs.values():
            assert "http:" not in (value or "") and "https:" not in (value or ""), (tag, attrs)
    assert "url(" not in page.style and "@import" not in page.style


def test_a_strict_content_security_policy_allows_only_the_pages_own_style_and_local_images(semester):
    page = Page(semester["page"].read_text(encoding="utf-8"))
    policy = next(a["content"] for t, a in page.tags
                  if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy")
    rules = dict(rule.strip().split(" ", 1) for rule in policy.split(";"))
    assert rules["default-src"] == "'none'"
    assert set(rules["img-src"].split()) <= {"'self'", "file:"}
    style_hash = base64.b64encode(hashlib.sha256(page.style.encode("utf-8")).digest()).decode()
    assert rules["style-src"] == f"'sha256-{style_hash}'"          # exactly the page's one style block
    assert "script-src" not in rules and "unsafe" not in policy


def test_the_plots_are_shown_by_relative_path(semester):
    page = Page(semester["page"].read_text(encoding="utf-8"))
    images = [a for t, a in page.tags if t == "img"]
    plots = sorted(p.name for p in (semester["out"] / "kuvat").glob("*.png"))
    assert plots and sorted(Path(a["src"]).name for a in images) == plots
    for attrs in images:
        assert attrs["src"].startswith("kuvat/") and (semester["out"] / attrs["src"]).is_file()
        assert attrs["alt"]


def test_names_typed_by_parents_are_text_never_markup(semester):
    text = semester["page"].read_text(encoding="utf-8")
    page = Page(text)
    shown = page.all_text()
    assert f"{semester['first']} {semester['last']}" in shown      # shown exactly as typed
    assert "<img src=http" not in text and "<script>" not in text
    assert "&lt;img src=http://127.0.0.1" in text and "&amp;amp;" in text
    assert len([t for t, _ in page.tags if t == "img"]) == len(list((semester["out"] / "kuvat").glob("*.png")))


def test_black_text_on_white_and_no_colour_in_the_style(semester):
    style = Page(semester["page"].read_text(encoding="utf-8")).style
    colours = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", style))
    for colour in colours:
        hexes = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
        r, g, b = (int(hexes[i:i + 2], 16) for i in (0, 2, 4))
        assert r == g == b, colour                                 # greys only: prints the same in black and white
    assert "@media print" in style


def test_the_terminal_text_is_the_same_summary(semester, capsys, tmp_path, monkeypatch):
    """The terminal shows the summary's text; the page and the text say the same sentences and numbers."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(semester["folder"] / ".config"))
    code = main(["semester", str(semester["folder"] / "rekisteri.xlsx"), "--out", str(tmp_path / "l"),
                 "--as-of", AS_OF, "--apply"])
    out, err = capsys.readouterr()
    assert code == 0 and out.startswith("# Lukukausiajo 25.11.2026")
    assert str(tmp_path / "l" / "yhteenveto.html") in err
    html = (tmp_path / "l" / "yhteenveto.html").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (muskaritodistus|päättötodistus) \| (ennen ajoa|ajon jälkeen) \| (\d+) \| (\d+) \| (\d+) "
                      r"\| (\d+) \|$", out, re.M)
    assert len(rows) == 4
    for kind, when, *counts in rows:
        assert (f"<tr><td>{kind}</td><td>{when}</td>" + "".join(f'<td class="n">{n}</td>' for n in counts) + "</tr>"
                in html)
    text = Page(html).all_text()
    for line in out.splitlines():                 # every sentence of the text is on the page
        sentence = line.lstrip("#-| ").replace("`", "").strip()
        if sentence and not line.startswith("|"):
            assert sentence in text, sentence
    assert "Rekisteriin ei muutoksia" in out           # the fixture's run already did everything


def test_an_earlier_markdown_summary_is_removed(semester, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(semester["folder"] / ".config"))
    out = tmp_path / "l"
    out.mkdir()
    (out / "yhteenveto.md").write_text("# vanha yhteenveto, jossa on nimiä\n", encoding="utf-8")
    assert main(["semester", str(semester["folder"] / "rekisteri.xlsx"), "--out", str(out), "--as-of", AS_OF,
                 "--apply"]) == 0
    assert not (out / "yhteenveto.md").exists() and (out / "yhteenveto.html").is_file()


def test_english_page_with_lang_en(semester, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(semester["folder"] / ".config"))
    out = tmp_path / "en"
    assert main(["semester", str(semester["folder"] / "rekisteri.xlsx"), "--out", str(out), "--as-of", AS_OF,
                 "--lang", "en", "--apply"]) == 0
    page = Page((out / "yhteenveto.html").read_text(encoding="utf-8"))
    assert ("html", {"lang": "en"}) in page.tags and "Semester run 2026-11-25" in page.all_text()


# --- in a real browser ------------------------------------------------------------------------------

HEIGHT = 9000      # tall enough for the demo's whole page, every plot included


def render(chromium: str, page: Path, shot: Path, profile: Path) -> subprocess.CompletedProcess:
    """Headless Chromium, no network services of its own, a throw-away profile: the page to a PNG."""
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", f"--window-size=1000,{HEIGHT}",
               f"--screenshot={shot}", page.as_uri()]
    done = run(command, timeout=120)     # Chromium starts helper processes: on a hang all of them are killed
    assert shot.is_file(), done.stderr[-2000:]
    return done


def greys_only(path: Path) -> bool:
    """No pixel whose red, green and blue differ by more than 16: the page is black, white and grey."""
    from PIL import Image, ImageChops

    r, g, b = Image.open(path).convert("RGB").split()
    return all(ImageChops.difference(x, y).getextrema()[1] <= 16 for x, y in ((r, g), (g, b), (r, b)))


def dark_pixels(path: Path) -> int:
    from PIL import Image

    return sum(Image.open(path).convert("L").histogram()[:100])


@pytest.mark.chromium
def test_chromium_renders_the_page_with_its_plots_in_black_and_white(demo, chromium, tmp_path, trap):
    semester = demo
    shot = tmp_path / "yhteenveto.png"
    done = render(chromium, semester["page"], shot, tmp_path / "profile")
    assert "Refused to" not in done.stderr                          # the policy blocked nothing the page needs
    from PIL import Image

    assert Image.open(shot).size == (1000, HEIGHT)
    assert greys_only(shot)                                         # prints the same in black and white
    dark = dark_pixels(shot)
    # the same page without its plots (the folder renamed) is mostly white: the plots were drawn
    bare = tmp_path / "ilman-kuvia"
    shutil.copytree(semester["out"], bare, ignore=shutil.ignore_patterns("kuvat"))
    render(chromium, bare / "yhteenveto.html", tmp_path / "bare.png", tmp_path / "profile2")
    assert dark > 3 * dark_pixels(tmp_path / "bare.png")
    if os.environ.get("MUSKARI_KEEP_SCREENSHOT"):                   # a person's look: keep the PNG
        shutil.copy(shot, os.environ["MUSKARI_KEEP_SCREENSHOT"])
    assert not Trap.requests                                        # nothing was fetched from the network


@pytest.mark.chromium
def test_chromium_shows_the_typed_names_as_text_and_fetches_nothing(demo, chromium, tmp_path, trap):
    semester = demo
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--no-first-run", "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'p'}",
               "--dump-dom", semester["page"].as_uri()]
    dom = run(command, timeout=120).stdout
    page = Page(dom)
    assert f"{semester['first']} {semester['last']}" in page.all_text()
    assert [a["src"] for t, a in page.tags if t == "img" and not a["src"].startswith("kuvat/")] == []
    assert not [t for t, _ in page.tags if t == "script"]
    assert not Trap.requests
