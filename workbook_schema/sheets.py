"""Sheet specifications derived from the pandera models: the single source for reading,
``init``, the annotated copy and the README's data dictionary."""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from workbook_schema import forms_mapping, models


@dataclass(frozen=True)
class Column:
    header: str          # what the owner sees in row 1 (the contract's header)
    field: str           # the English name the rules use
    kind: str            # id | text | date | number | integer | choice
    required: bool
    fi: str
    en: str
    choices: tuple[str, ...] = ()
    folded: bool = False  # compared and kept after trimming, NFC and case folding (choices, semester labels)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    model: type[pa.DataFrameModel] | None
    columns: tuple[Column, ...]
    fi: str
    en: str

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    def field_map(self) -> dict[str, str]:
        """Finnish header -> English field name."""
        return {c.header: c.field for c in self.columns}


def _columns(model: type[pa.DataFrameModel]) -> tuple[Column, ...]:
    cols = []
    for field_name, (_annotation, field) in model.__fields__.items():
        meta = field.metadata or {}
        cols.append(Column(header=field.alias or field_name, field=field.original_name, kind=meta["kind"],
                           required=meta["required"], fi=meta["fi"], en=meta["en"],
                           choices=tuple(meta.get("choices", ())), folded=bool(meta.get("folded"))))
    return tuple(cols)


def _spec(name: str, model, fi: str, en: str) -> SheetSpec:
    return SheetSpec(name=name, model=model, columns=_columns(model), fi=fi, en=en)


_SETTINGS_COLUMNS = (
    Column("Asetus", "key", "text", True, "asetuksen nimi", "setting name"),
    Column("Arvo", "value", "text", False, "arvo; tyhjä = oletus", "value; blank = default"),
    Column("Selite", "explanation", "text", False, "selitys", "explanation"),
)

_FORMS_MAPPING_COLUMNS = (
    Column("Kysymys", "question", "text", True, "lomakkeen kysymys sellaisena kuin lomake sen kysyy",
           "the form's question as the form asks it"),
    Column("Kenttä", "field", "choice", True, "rekisterin kenttä, johon vastaus tuodaan, tai \"ei tuoda\"",
           "the register field the answer goes to, or \"ei tuoda\" (not imported)",
           choices=forms_mapping.FORM_FIELDS),
)

SHEETS: dict[str, SheetSpec] = {
    "Oppilaat": _spec("Oppilaat", models.StudentsSheet, "oppilaat, yksi rivi oppilasta kohden", "students, one row each"),
    "Opinnot": _spec("Opinnot", models.StudiesSheet, "suoritetut opintokokonaisuudet ja lukukausijaksot",
                     "completed study units and semester blocks"),
    "Opintokokonaisuudet": _spec("Opintokokonaisuudet", models.StudyUnitsSheet,
                                 "koulun opetussuunnitelman opintokokonaisuudet", "study units of the school's curriculum"),
    "Opettajat": _spec("Opettajat", models.TeachersSheet, "opettajat", "teachers"),
    "Todistukset": _spec("Todistukset", models.CertificatesSheet, "annetut todistukset (työkalu lisää)",
                         "issued certificates (the toolkit appends)"),
    "Valmistuneet": _spec("Valmistuneet", models.GraduatesSheet, "todistuksen saaneiden lista",
                          "list of certificate recipients"),
    "Yhteydenotot": _spec("Yhteydenotot", models.ContactsSheet, "markkinointi- ja tiedotusyhteystiedot (6 kk)",
                          "marketing and information contacts (6 months)"),
    "Asetukset": SheetSpec("Asetukset", None, _SETTINGS_COLUMNS, "asetukset", "settings"),
    forms_mapping.SHEET: SheetSpec(forms_mapping.SHEET, None, _FORMS_MAPPING_COLUMNS,
                                   "ilmoittautumislomakkeen kysymysten nimeäminen; valinnainen",
                                   "naming the registration form's questions; optional"),
    "Loki": _spec("Loki", models.LogSheet, "työkalun loki; ei henkilötietoja", "the toolkit's log; no personal data"),
}

# The order `init` writes the sheets in; Ohje (instructions) has no header.
SHEET_ORDER = ("Ohje", "Oppilaat", "Opinnot", "Opintokokonaisuudet", "Opettajat", "Todistukset",
               "Valmistuneet", "Yhteydenotot", "Asetukset", forms_mapping.SHEET, "Loki")

# Sheets whose rows are the owner's data (checked cell by cell).
DATA_SHEETS = ("Oppilaat", "Opinnot", "Opintokokonaisuudet", "Opettajat", "Todistukset", "Valmistuneet",
               "Yhteydenotot")

CHOICES = {
    "Tila": models.STATUS,
    "Jatkaa soitinopintoihin": models.YES_NO,
    "Osa-alue": models.PARTS,
    "Todistus": models.CERTIFICATES,
    "Kenttä": forms_mapping.FORM_FIELDS,
}


def sheet_spec(name: str) -> SheetSpec:
    return SHEETS[name]


def validation_schema(name: str) -> pa.DataFrameSchema:
    """The sheet's DataFrameSchema with the named checks from each field's metadata attached.

    Dtypes are not checked here: reading already turned each cell into its typed value (or a
    finding), so the schema checks presence, choices, uniqueness, patterns and ranges.
    """
    spec = SHEETS[name]
    schema = spec.model.to_schema()
    for field_name, (_annotation, field) in spec.model.__fields__.items():
        header = field.alias or field_name
        checks = list((field.metadata or {}).get("checks", []))
        schema = schema.update_column(header, checks=checks, dtype=None)
    return schema
