"""The contract's commands, in the order `muskari --help` lists them: name -> (Finnish help, English help).

Add, never rename. The CLI loads ``toolkit.cli.commands.<name with _>``; init's Ohje sheet lists them too.
"""

from __future__ import annotations

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("luo tyhjän rekisterin kaikkine välilehtineen", "create an empty register"),
    "demo": ("kirjoittaa synteettisen esimerkkirekisterin ja -lomakkeen", "write a synthetic demo register"),
    "check": ("tarkistaa rekisterin ja kertoo virheelliset solut", "validate the register"),
    "eligibility": ("näyttää oppilaiden todistustilanteen", "certificate status of every student"),
    "certificates": ("kirjoittaa erääntyneet todistukset", "issue the certificates that are due"),
    "purge": ("säilytysajat ja poistopyynnöt", "what retention and deletion requests require"),
    "import-forms": ("tuo ilmoittautumislomakkeet rekisteriin", "import registration forms"),
    "teacher-lists": ("oppilaslista jokaiselle opettajalle", "one workbook per teacher"),
    "emails": ("piilokopio-osoitelista (BCC)", "a BCC address list"),
    "access-request": ("kaikki yhdestä henkilöstä (tarkastuspyyntö)", "everything held on one person"),
    "backup": ("salattu varmuuskopio", "an encrypted copy"),
    "restore": ("palauttaa varmuuskopion ja toistaa poistot", "restore a backup and replay erasures"),
    "semester": ("koko lukukausiajo yhteenvetoineen", "the whole semester run"),
}
