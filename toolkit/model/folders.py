"""The names of the folders and files the toolkit keeps beside the register, in one place.

    rekisteri.xlsx
    varmuuskopiot/        BACKUP_COPIES: the earlier versions the safe write keeps (mode 0600)
    todistukset/          CERTIFICATES: issued certificates (.docx, .pdf) and print files
    todistuspohjat/       OWN_TEMPLATES: the owner's restyled certificate templates, when she has some
    lukukausi/            SEMESTER: the semester run's outputs (summary, plots, lists, address lists)
        yhteenveto.html   SUMMARY: the summary as a page (OLD_SUMMARY: the Markdown file earlier versions wrote)
        kuvat/            PLOTS
"""

from __future__ import annotations

BACKUP_COPIES = "varmuuskopiot"
CERTIFICATES = "todistukset"
OWN_TEMPLATES = "todistuspohjat"
SEMESTER = "lukukausi"
PLOTS = "kuvat"
SUMMARY = "yhteenveto.html"
OLD_SUMMARY = "yhteenveto.md"
