"""pandera DataFrameModels, one per data sheet of the register.

Column names in the validated frames are the Finnish headers the owner sees (the aliases);
the Python field names are the English names the rules use. Each field's ``metadata`` says how a
raw cell becomes a typed value (``kind``), whether the owner must fill it (``required``) and what
it means (``fi``/``en``): the data dictionary in the README is generated from it.

A check's ``name`` is the finding code it yields.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from workbook_schema.choices import (  # noqa: F401  (the models' choices, re-exported)
    CERTIFICATES,
    FINAL,
    MUSKARI,
    PART_COMMON,
    PART_MUSKARI,
    PART_THEMATIC,
    PARTICIPATION,
    PARTS,
    STATUS,
    YES_NO,
)

# An e-mail address: RFC 5322's addr-spec with the restrictions mail programs keep: a dot-atom local part (no
# quoted strings, comments, spaces or any of ( ) < > [ ] : ; , " \ @), letters with accents allowed (RFC 6531:
# äiti@...), and a host name of letter/digit/hyphen labels (no domain literals) ending in an alphabetic or
# punycode top-level domain. Written for both Python's re and pyarrow's RE2 (no lookarounds; literal letters,
# not \u escapes; \Z, which pandas gives RE2 as \z, so no trailing line break slips through as with $).
_LETTER = "A-Za-zÀ-ÖØ-öø-ɏ"
_ATEXT = f"{_LETTER}0-9!#$%&'*+/=?^_`{{|}}~-"
_LABEL = f"[{_LETTER}0-9](?:[{_LETTER}0-9-]{{0,61}}[{_LETTER}0-9])?"
EMAIL_PATTERN = (f"^[{_ATEXT}]+(?:\\.[{_ATEXT}]+)*@(?:{_LABEL}\\.)+"
                 f"(?:[{_LETTER}]{{2,63}}|[Xx][Nn]--[A-Za-z0-9-]{{1,59}})\\Z")
PHONE_PATTERN = r"^[0-9 +\-()]{7,20}$"
SEMESTER_PATTERN = r"^(syksy|kevät) (19|20)\d\d$"
CERT_NUMBER_PATTERN = r"^\d{4}-\d{3}$"


def _meta(kind: str, required: bool, fi: str, en: str, choices: tuple[str, ...] = (),
          checks: list | None = None, folded: bool = False) -> dict:
    # pandera's Field takes only built-in checks by keyword; named checks ride in the metadata and
    # are attached by workbook_schema.sheets.validation_schema(). ``folded``: compared and kept after
    # trimming, NFC and case folding, as choices are (a semester label "Syksy 2019" is "syksy 2019").
    return {"kind": kind, "required": required, "fi": fi, "en": en, "choices": choices, "checks": checks or [],
            "folded": folded or kind == "choice"}


def _choice(values: tuple[str, ...]) -> pa.Check:
    return pa.Check.isin(list(values), name="invalid-choice", ignore_na=True)


def _text(alias: str, required: bool, fi: str, en: str, *, unique: bool = False,
          checks: list | None = None, kind: str = "text", folded: bool = False) -> object:
    return pa.Field(alias=alias, nullable=not required, unique=unique,
                    metadata=_meta(kind, required, fi, en, checks=checks, folded=folded))


def _date(alias: str, required: bool, fi: str, en: str) -> object:
    return pa.Field(alias=alias, nullable=not required, metadata=_meta("date", required, fi, en))


def _choice_field(alias: str, required: bool, values: tuple[str, ...], fi: str, en: str) -> object:
    return pa.Field(alias=alias, nullable=not required,
                    metadata=_meta("choice", required, fi, en, values, checks=[_choice(values)]))


_email_check = pa.Check.str_matches(EMAIL_PATTERN, name="invalid-email", ignore_na=True)
_phone_check = pa.Check.str_matches(PHONE_PATTERN, name="invalid-phone", ignore_na=True)


class _Sheet(pa.DataFrameModel):
    class Config:
        strict = False  # the owner's own extra columns are kept (and warned about elsewhere)
        coerce = False


class StudentsSheet(_Sheet):
    """Oppilaat: one row per student."""

    student_id: Series[str] = _text("Oppilasnumero", True, "oppilaan tunnus; numerot tekstinä, ei käytetä uudelleen",
                                    "student id; digits kept as text, never reused", unique=True, kind="id")
    first_name: Series[str] = _text("Etunimi", True, "etunimi", "first name")
    last_name: Series[str] = _text("Sukunimi", True, "sukunimi", "last name")
    birth_date: Series[pd.Timestamp] = _date("Syntymäaika", True, "syntymäaika (ei henkilötunnusta)",
                                             "birth date (never an identity code)")
    guardian: Series[str] = _text("Huoltaja", False, "huoltajan nimi; alle 18-vuotiaalle", "guardian; for a student under 18")
    email: Series[str] = _text("Sähköposti", False, "yhteyssähköposti", "contact e-mail",
                               checks=[_email_check])
    phone: Series[str] = _text("Puhelin", False, "puhelinnumero: numerot, välilyönnit, + - ( ); 7–20 merkkiä",
                               "phone: digits, spaces, + - ( ); 7–20 characters", checks=[_phone_check])
    teacher: Series[str] = _text("Opettaja", False, "opettajan nimi Opettajat-välilehdeltä", "a name from Opettajat")
    status: Series[str] = _choice_field("Tila", True, STATUS, "aktiivinen, tauolla tai päättynyt",
                                        "active (aktiivinen), on break (tauolla) or ended (päättynyt)")
    continues: Series[str] = _choice_field("Jatkaa soitinopintoihin", False, YES_NO,
                                           "kyllä, ei tai tyhjä (ei tiedossa)", "yes (kyllä), no (ei) or blank (not known)")
    deletion_requested: Series[pd.Timestamp] = _date("Poistopyyntö", False, "päivä, jolloin poistopyyntö saapui",
                                                     "the day a deletion request was received")
    last_registration: Series[pd.Timestamp] = _date("Viimeisin ilmoittautuminen", False,
                                                    "viimeisimmän ilmoittautumislomakkeen päivä",
                                                    "date of the latest registration form")
    notes: Series[str] = _text("Lisätiedot", False, "vapaa teksti; ei henkilötunnuksia eikä terveystietoja",
                               "free text; never identity codes or health data")


class StudiesSheet(_Sheet):
    """Opinnot: one row per completed study unit or semester block."""

    student_id: Series[str] = _text("Oppilasnumero", True, "Oppilaat-välilehden oppilasnumero",
                                    "an id from Oppilaat", kind="id")
    unit: Series[str] = _text("Opintokokonaisuus", True, "Opintokokonaisuudet-välilehden nimi",
                              "a name from Opintokokonaisuudet")
    semester: Series[str] = _text("Lukukausi", True, "syksy VVVV tai kevät VVVV", "'syksy YYYY' or 'kevät YYYY'",
                                  checks=[pa.Check.str_matches(SEMESTER_PATTERN, name="invalid-semester",
                                                               ignore_na=True)], folded=True)
    hours: Series[float] = pa.Field(alias="Tunnit", nullable=False,
                                    metadata=_meta("number", True, "laskennalliset 45 minuutin tunnit, yli 0 ja enintään 200",
                                                   "calculated 45-minute hours, > 0 and ≤ 200",
                                                   checks=[pa.Check.gt(0, name="invalid-hours", ignore_na=True),
                                                           pa.Check.le(200, name="invalid-hours", ignore_na=True)]))
    completed: Series[pd.Timestamp] = _date("Suoritettu", True, "suorituspäivä", "date completed")
    teacher: Series[str] = _text("Opettaja", False, "opettajan nimi Opettajat-välilehdeltä", "a name from Opettajat")


class StudyUnitsSheet(_Sheet):
    """Opintokokonaisuudet: the study units of the school's curriculum."""

    name: Series[str] = _text("Nimi", True, "opintokokonaisuuden nimi, yksilöllinen", "unit name, unique", unique=True)
    part: Series[str] = _choice_field("Osa-alue", True, PARTS,
                                      "varhaisiän musiikkikasvatus, yhteiset opinnot tai teemaopinnot",
                                      "early-childhood music, common studies or thematic studies")
    extent: Series[float] = pa.Field(alias="Laajuus (h)", nullable=True,
                                     metadata=_meta("number", False, "nimellinen laajuus laskennallisina tunteina",
                                                    "nominal extent in calculated hours",
                                                    checks=[pa.Check.gt(0, name="invalid-hours", ignore_na=True)]))


class TeachersSheet(_Sheet):
    """Opettajat: the school's teachers."""

    name: Series[str] = _text("Nimi", True, "opettajan nimi, yksilöllinen", "teacher's name, unique", unique=True)
    email: Series[str] = _text("Sähköposti", False, "opettajan sähköposti", "teacher's e-mail", checks=[_email_check])


class CertificatesSheet(_Sheet):
    """Todistukset: issued certificates (the toolkit appends, the owner reads)."""

    number: Series[str] = _text("Todistusnumero", True, "VVVV-NNN, yksilöllinen", "YYYY-NNN, unique", unique=True,
                                checks=[pa.Check.str_matches(CERT_NUMBER_PATTERN, name="invalid-certificate-number",
                                                             ignore_na=True)], kind="id")
    student_id: Series[str] = _text("Oppilasnumero", False, "tyhjä poiston jälkeen", "blank after erasure", kind="id")
    kind: Series[str] = _choice_field("Todistus", True, CERTIFICATES, "todistuksen laji", "certificate kind")
    date: Series[pd.Timestamp] = _date("Päivämäärä", True, "antopäivä", "date of issue")
    file: Series[str] = _text("Tiedosto", False, "asiakirjan polku rekisterin kansiosta", "document path, relative to the register's folder")


class GraduatesSheet(_Sheet):
    """Valmistuneet: the list of certificate recipients."""

    year: Series[float] = pa.Field(alias="Vuosi", nullable=False,
                                   metadata=_meta("integer", True, "vuosi", "year",
                                                  checks=[pa.Check.in_range(1900, 2200, name="invalid-year",
                                                                            ignore_na=True)]))
    name: Series[str] = _text("Nimi", True, "nimi; 'valmistunut oppilas' anonymisoinnin jälkeen",
                              "name; 'valmistunut oppilas' after anonymisation")
    kind: Series[str] = _choice_field("Todistus", True, CERTIFICATES, "todistuksen laji", "certificate kind")
    number: Series[str] = _text("Todistusnumero", False, "tyhjä anonymisoinnin jälkeen", "blank after anonymisation",
                                kind="id")


class ContactsSheet(_Sheet):
    """Yhteydenotot: marketing and information contacts (kept six months)."""

    name: Series[str] = _text("Nimi", False, "nimi", "name")
    email: Series[str] = _text("Sähköposti", False, "sähköposti", "e-mail", checks=[_email_check])
    phone: Series[str] = _text("Puhelin", False, "puhelin", "phone", checks=[_phone_check])
    collected: Series[pd.Timestamp] = _date("Kerätty", True, "keräyspäivä; säilytysaika lasketaan tästä",
                                            "date collected; retention counts from it")
    purpose: Series[str] = _text("Tarkoitus", False, "mihin tieto kerättiin", "what it was collected for")


class LogSheet(_Sheet):
    """Loki: what the toolkit did; never personal data."""

    time: Series[str] = _text("Aika", False, "aika", "time")
    action: Series[str] = _text("Toiminto", False, "komento", "command")
    details: Series[str] = _text("Tiedot", False, "määrät, ei henkilötietoja", "counts, never personal data")
