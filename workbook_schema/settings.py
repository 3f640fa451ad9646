"""The Asetukset sheet: every setting with its type, default and explanation.

The norm's name, the hours and the statement texts live here, not in code (a law reform is coming).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str            # the Asetus cell
    field: str          # English name used in code
    kind: str           # text | int | number | yesno | ytunnus
    default: object
    fi: str
    en: str


SETTINGS: tuple[Setting, ...] = (
    Setting("Koulun nimi", "school_name", "text", "Annan Muskari", "koulun nimi todistuksissa", "school name"),
    Setting("Y-tunnus", "business_id", "ytunnus", "1852770-8", "koulun Y-tunnus (tarkistetaan)",
            "business id (validated)"),
    Setting("Koulutuksen järjestäjä", "provider", "text", "Annan Muskari", "koulutuksen järjestäjä todistuksissa",
            "education provider on certificates"),
    Setting("Paikkakunta", "place", "text", "", "todistusten antopaikka", "place of issue"),
    Setting("Allekirjoittaja", "signer", "text", "", "todistusten allekirjoittaja", "who signs certificates"),
    Setting("Allekirjoittajan nimike", "signer_title", "text", "Rehtori", "allekirjoittajan nimike",
            "signer's title"),
    Setting("Järjestämisperuste", "basis", "text", "",
            "päättötodistukseen tulostettava järjestämisperuste päivämäärineen (lupa tai sopimus kunnan kanssa)",
            "basis of the teaching and its dates, printed on the final certificate"),
    Setting("Opetussuunnitelma", "curriculum", "text", "", "koulun opetussuunnitelma ja sen hyväksymispäivä",
            "the school's curriculum and its approval date"),
    Setting("Perusteet", "core_curriculum", "text",
            "Taiteen perusopetuksen yleisen oppimäärän opetussuunnitelman perusteet 2017",
            "valtakunnalliset perusteet, joiden mukaan opetus on annettu", "the national core curriculum followed"),
    Setting("Yhteiset opinnot (h)", "common_hours", "number", 300, "yhteisten opintojen laajuus", "common studies, hours"),
    Setting("Teemaopinnot (h)", "thematic_hours", "number", 200, "teemaopintojen laajuus", "thematic studies, hours"),
    Setting("Muskaritodistuksen tunnit (h)", "muskari_hours", "number", 60, "muskaritodistukseen vaadittavat tunnit",
            "hours for the muskari certificate"),
    Setting("Muskarin ikäraja (v)", "muskari_age_limit", "int", 7,
            "muskaritunnit lasketaan tähän syntymäpäivään asti; sen jälkeen todistus ei ole enää saavutettavissa",
            "muskari hours count until this birthday"),
    Setting("Muskaritunnit yleiseen oppimäärään", "muskari_counts_to_common", "yesno", "ei",
            "kyllä = muskaritunnit lasketaan yhteisiin opintoihin", "yes = muskari hours count toward common studies"),
    Setting("Opintojen yläikäraja (v)", "study_age_limit", "int", 20,
            "päättyneen oppilaan opintoaika sulkeutuu tässä iässä", "an ended student's study window closes at this age"),
    Setting("Markkinointitietojen säilytys (kk)", "marketing_months", "int", 6,
            "markkinointitietojen säilytysaika kuukausina", "marketing data retention in months"),
    Setting("Varmuuskopioiden säilytys (pv)", "backup_days", "int", 90, "varmuuskopioiden säilytysaika päivinä",
            "backup retention in days"),
    Setting("Koulun sähköposti", "school_email", "text", "",
            "koulun osoite ryhmäviestien Vastaanottaja-kenttään (perheet aina piilokopiona)",
            "the school's address for the To field of group e-mail (families always in Bcc)"),
)

SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Typed settings; every field defaults to the contract's default."""

    school_name: str = "Annan Muskari"
    business_id: str = "1852770-8"
    provider: str = "Annan Muskari"
    place: str = ""
    signer: str = ""
    signer_title: str = "Rehtori"
    basis: str = ""
    curriculum: str = ""
    core_curriculum: str = "Taiteen perusopetuksen yleisen oppimäärän opetussuunnitelman perusteet 2017"
    common_hours: float = 300.0
    thematic_hours: float = 200.0
    muskari_hours: float = 60.0
    muskari_age_limit: int = 7
    muskari_counts_to_common: bool = False
    study_age_limit: int = 20
    marketing_months: int = 6
    backup_days: int = 90
    school_email: str = ""
