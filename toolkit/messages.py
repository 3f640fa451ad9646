"""The one catalogue of finding messages, keyed by code, in Finnish and English.

Each message says what is wrong *and how to fix it*. Placeholders: {sheet} {cell} {column}
{value} and any key of the finding's ``params``. tests/test_messages.py checks that every code the
toolkit can emit has a message in every language.
"""

from __future__ import annotations

from toolkit.findings import ERROR, WARNING, Finding

LANGS = ("fi", "en")

# code -> (severity, Finnish, English)
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "identity-code": (ERROR,
        "Solussa on henkilötunnus ({value}). Koulu ei kerää henkilötunnuksia: poista se ja käytä syntymäaikaa.",
        "The cell holds a Finnish identity code ({value}). The school never collects them: delete it and use the birth date."),
    "health-data": (WARNING,
        "Teksti näyttää terveystiedolta (\"{term}\"). Terveystietoja ei kirjata rekisteriin: keskustele asiasta opettajan kanssa ja poista teksti.",
        "The text looks like health data (\"{term}\"). Health data is never recorded: discuss it with the teacher and delete the text."),
    "missing-value": (ERROR,
        "Sarake {column} on pakollinen, mutta solu on tyhjä. Täytä se.",
        "Column {column} is required but the cell is empty. Fill it in."),
    "invalid-date": (ERROR,
        "\"{value}\" ei ole päivämäärä. Kirjoita päivämäärä muodossa p.k.vvvv, esimerkiksi 1.2.2019.",
        "\"{value}\" is not a date. Write the date as d.m.yyyy, for example 1.2.2019."),
    "future-date": (ERROR,
        "Päivämäärä {value} on tulevaisuudessa. Korjaa päivämäärä.",
        "The date {value} is in the future. Correct the date."),
    "date-before-birth": (ERROR,
        "Suorituspäivä {value} on ennen oppilaan syntymää. Korjaa päivämäärä.",
        "The completion date {value} is before the student's birth. Correct the date."),
    "implausible-age": (ERROR,
        "Syntymäajan {value} mukaan oppilas olisi vähintään 100-vuotias. Tarkista syntymäaika.",
        "The birth date {value} makes the student at least 100 years old. Check the birth date."),
    "invalid-choice": (ERROR,
        "\"{value}\" ei ole sallittu arvo. Valitse jokin näistä: {choices}.",
        "\"{value}\" is not an allowed value. Choose one of: {choices}."),
    "invalid-email": (ERROR,
        "\"{value}\" ei ole kelvollinen sähköpostiosoite. Korjaa osoite (muotoa nimi@esimerkki.fi).",
        "\"{value}\" is not a valid e-mail address. Correct it (like name@example.fi)."),
    "invalid-phone": (ERROR,
        "\"{value}\" ei ole kelvollinen puhelinnumero. Käytä vain numeroita, välilyöntejä ja merkkejä + - ( ); 7–20 merkkiä.",
        "\"{value}\" is not a valid phone number. Use only digits, spaces and + - ( ); 7–20 characters."),
    "phone-as-number": (ERROR,
        "Puhelinnumero on tallentunut lukuna ({value}), jolloin alun nolla tai +-merkki on kadonnut. Muotoile solu tekstiksi ja kirjoita numero uudelleen.",
        "The phone number was stored as a number ({value}), so a leading zero or + was lost. Format the cell as text and type the number again."),
    "invalid-number": (ERROR,
        "\"{value}\" ei ole luku. Kirjoita luku, esimerkiksi 22,5.",
        "\"{value}\" is not a number. Write a number, for example 22.5."),
    "invalid-hours": (ERROR,
        "Tuntimäärän {value} pitää olla yli 0 ja enintään 200. Korjaa tunnit.",
        "The hours {value} must be more than 0 and at most 200. Correct the hours."),
    "invalid-semester": (ERROR,
        "\"{value}\" ei ole lukukausi. Kirjoita \"syksy VVVV\" tai \"kevät VVVV\", esimerkiksi syksy 2026.",
        "\"{value}\" is not a semester. Write \"syksy YYYY\" or \"kevät YYYY\", for example syksy 2026."),
    "invalid-certificate-number": (ERROR,
        "\"{value}\" ei ole todistusnumero. Muoto on VVVV-NNN, esimerkiksi 2026-001.",
        "\"{value}\" is not a certificate number. The form is YYYY-NNN, for example 2026-001."),
    "invalid-year": (ERROR,
        "\"{value}\" ei ole vuosiluku. Kirjoita vuosi neljällä numerolla.",
        "\"{value}\" is not a year. Write the year with four digits."),
    "invalid-id": (ERROR,
        "Oppilasnumero \"{value}\" on tallentunut desimaalilukuna. Muotoile sarake tekstiksi ja kirjoita numero uudelleen.",
        "The student id \"{value}\" was stored as a decimal number. Format the column as text and type the id again."),
    "duplicate-id": (ERROR,
        "\"{value}\" on sarakkeessa {column} useammin kuin kerran (myös rivillä {other_rows}). Jokaisen pitää olla yksilöllinen: korjaa toinen.",
        "\"{value}\" appears more than once in column {column} (also on row {other_rows}). Each must be unique: correct one of them."),
    "unknown-student": (ERROR,
        "Oppilasnumeroa \"{value}\" ei ole Oppilaat-välilehdellä. Lisää oppilas tai korjaa numero.",
        "Student id \"{value}\" is not on the Oppilaat sheet. Add the student or correct the id."),
    "unknown-teacher": (ERROR,
        "Opettajaa \"{value}\" ei ole Opettajat-välilehdellä. Lisää opettaja tai korjaa nimi.",
        "Teacher \"{value}\" is not on the Opettajat sheet. Add the teacher or correct the name."),
    "unknown-study-unit": (ERROR,
        "Opintokokonaisuutta \"{value}\" ei ole Opintokokonaisuudet-välilehdellä. Lisää se tai korjaa nimi.",
        "Study unit \"{value}\" is not on the Opintokokonaisuudet sheet. Add it or correct the name."),
    "missing-column": (ERROR,
        "Välilehdeltä {sheet} puuttuu sarake \"{column}\". Lisää sarake otsikkoriville (tarkista kirjoitusasu).",
        "Sheet {sheet} has no column \"{column}\". Add it to the header row (check the spelling)."),
    "unknown-column": (WARNING,
        "Sarake \"{column}\" ei kuulu rekisterin rakenteeseen. Se säilyy, mutta työkalu ei käytä sitä.",
        "Column \"{column}\" is not part of the register. It is kept, but the toolkit does not use it."),
    "duplicate-column": (ERROR,
        "Otsikko \"{column}\" on välilehdellä {sheet} kahdesti. Poista tai nimeä toinen sarake uudelleen.",
        "Header \"{column}\" appears twice on sheet {sheet}. Delete or rename one of the columns."),
    "missing-sheet": (ERROR,
        "Työkirjasta puuttuu välilehti {sheet}. Lisää se (komento muskari init luo mallin) tai korjaa välilehden nimi.",
        "The workbook has no sheet {sheet}. Add it (muskari init creates a template) or correct the sheet's name."),
    "missing-header": (ERROR,
        "Välilehdeltä {sheet} ei löydy otsikkoriviä. Rivillä 1 pitää olla sarakkeiden otsikot: {columns}.",
        "No header row found on sheet {sheet}. Row 1 must hold the column headers: {columns}."),
    "formula-cell": (ERROR,
        "Solussa on kaava ({value}). Rekisteriin kirjoitetaan arvoja: korvaa kaava sen arvolla.",
        "The cell holds a formula ({value}). The register holds values: replace the formula with its value."),
    "merged-cells": (ERROR,
        "Solut {value} on yhdistetty. Pura yhdistäminen, jotta jokaisella rivillä on omat arvonsa.",
        "Cells {value} are merged. Unmerge them so that every row has its own values."),
    "blank-row": (WARNING,
        "Rivi on tyhjä tietorivien välissä. Poista tyhjä rivi.",
        "The row is blank between data rows. Delete the blank row."),
    "hidden-row": (WARNING,
        "Rivi on piilotettu. Sen tiedot luetaan silti; näytä rivi, jotta näet mitä siinä on.",
        "The row is hidden. Its data is still read; unhide it to see what it holds."),
    "hidden-characters": (WARNING,
        "Tekstissä on näkymättömiä merkkejä (esimerkiksi nollalevyinen välilyönti tai ohjausmerkki). Kirjoita arvo uudelleen.",
        "The text holds invisible characters (a zero-width space or a control character). Type the value again."),
    "missing-guardian": (WARNING,
        "Alle 18-vuotiaalta oppilaalta puuttuu huoltaja. Lisää huoltajan nimi.",
        "A student under 18 has no guardian. Add the guardian's name."),
    "missing-email": (WARNING,
        "Aktiiviselta oppilaalta puuttuu sähköpostiosoite. Lisää osoite, jotta tiedotteet tavoittavat perheen.",
        "An active student has no e-mail address. Add one so that messages reach the family."),
    "invalid-setting": (ERROR,
        "Asetuksen \"{setting}\" arvo \"{value}\" ei kelpaa: {expected}. Korjaa arvo tai tyhjennä solu, jolloin käytetään oletusta ({default}).",
        "Setting \"{setting}\" has an invalid value \"{value}\": {expected}. Correct it or clear the cell to use the default ({default})."),
    "unknown-setting": (WARNING,
        "Asetusta \"{value}\" ei tunneta, joten sitä ei käytetä. Tarkista kirjoitusasu.",
        "Setting \"{value}\" is unknown and is not used. Check the spelling."),
    "duplicate-setting": (ERROR,
        "Asetus \"{value}\" on kahdesti. Poista toinen rivi.",
        "Setting \"{value}\" appears twice. Delete one of the rows."),
    # Registration forms (import-forms): a refused response changes nothing.
    "invalid-timestamp": (ERROR,
        "\"{value}\" ei ole aikaleima. Korjaa se lomaketiedostoon (esimerkiksi 20.11.2026 14.05.00) tai tyhjennä solu.",
        "\"{value}\" is not a timestamp. Correct it in the forms file (for example 20.11.2026 14.05.00) or clear the cell."),
    "form-ambiguous": (ERROR,
        "Vastaus ({name}) sopii kahteen oppilaaseen. Lisää vastaukseen oikea oppilasnumero ja tuo lomake uudelleen.",
        "The response ({name}) matches two students. Add the right student id to the response and import again."),
    "form-unknown-id": (ERROR,
        "Oppilasnumeroa \"{value}\" ei ole rekisterissä eikä vastaus ({name}) sovi kehenkään nimen ja syntymäajan perusteella. Korjaa numero tai tyhjennä se, jos kyseessä on uusi oppilas.",
        "Student id \"{value}\" is not in the register and the response ({name}) matches no one by name and birth date. Correct the id, or clear it for a new student."),
    "form-id-mismatch": (ERROR,
        "Oppilasnumero \"{value}\" kuuluu toiselle oppilaalle: vastauksen ({name}) nimi ja syntymäaika eivät täsmää. Tarkista numero.",
        "Student id \"{value}\" belongs to another student: the response's ({name}) name and birth date differ. Check the id."),
}

# Words used inside messages (joined lists, expectations).
EXPECTATIONS = {
    "int": ("kokonaisluku", "a whole number"),
    "number": ("luku", "a number"),
    "yesno": ("kyllä tai ei", "kyllä or ei"),
    "ytunnus": ("kelvollinen Y-tunnus, esimerkiksi 1852770-8", "a valid business id, for example 1852770-8"),
    "text": ("teksti", "text"),
}


def severity_of(code: str) -> str:
    return CATALOGUE[code][0]


class _Default(dict):
    def __missing__(self, key):  # a message never fails for a missing parameter
        return ""


def finding_message(finding: Finding, lang: str = "fi") -> str:
    _severity, fi, en = CATALOGUE[finding.code]
    template = en if lang == "en" else fi
    words = _Default(sheet=finding.sheet or "", cell=finding.cell or "", column=finding.column or "",
                     value=finding.value if finding.value is not None else "")
    words.update(finding.params)
    return template.format_map(words)


def make(code: str, **kwargs) -> Finding:
    """A finding with the catalogue's severity for ``code``."""
    params = kwargs.pop("params", {}) or {}
    return Finding(code=code, severity=severity_of(code), params=params, **kwargs)
