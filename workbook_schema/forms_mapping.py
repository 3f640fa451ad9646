"""Lomakekentät: the optional sheet that names the register field of a forms question the toolkit does
not recognise by itself (contract, "Lomakekentät"). One row per question: ``Kysymys`` (the question as
the form asks it) and ``Kenttä`` (one of :data:`FORM_FIELDS`, or ``ei tuoda`` to leave the column out).

Kept apart from the data sheets: it is not a table of people, it is never required, and a register
without it is valid (registers made before it existed keep working).
"""

from __future__ import annotations

SHEET = "Lomakekentät"
NOT_IMPORTED = "ei tuoda"

# What the Kenttä dropdown offers, in the order a form usually asks.
FORM_FIELDS = ("Aikaleima", "Oppilasnumero", "Etunimi", "Sukunimi", "Oppilaan nimi", "Syntymäaika", "Huoltaja",
               "Sähköposti", "Puhelin", "Jatkaa ensi lukukaudella", NOT_IMPORTED)

# Other names a person may write in Kenttä (the Oppilaat headers Tila and Viimeisin ilmoittautuminen among them),
# read as the field that fills them.
FIELD_SYNONYMS = {"Viimeisin ilmoittautuminen": "Aikaleima", "Vastausaika": "Aikaleima",
                  "Tila": "Jatkaa ensi lukukaudella", "Jatkaa": "Jatkaa ensi lukukaudella",
                  "Etunimi ja sukunimi": "Oppilaan nimi", "Koko nimi": "Oppilaan nimi", "Nimi": "Oppilaan nimi"}

# Oppilaat headers that a form never fills (check says so when Kenttä names one).
NOT_FROM_FORMS = ("Opettaja", "Jatkaa soitinopintoihin", "Poistopyyntö", "Lisätiedot")
