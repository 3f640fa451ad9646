"""The register's choice values: the one spelling every rule, report, template and the command line uses.

Plain constants (no pandas), so the command line can offer them in ``--help`` without loading the schemas.
"""

from __future__ import annotations

STATUS = ("aktiivinen", "tauolla", "päättynyt")
YES_NO = ("kyllä", "ei")
PART_MUSKARI, PART_COMMON, PART_THEMATIC = "varhaisiän musiikkikasvatus", "yhteiset opinnot", "teemaopinnot"
PARTS = (PART_MUSKARI, PART_COMMON, PART_THEMATIC)
MUSKARI, FINAL, PARTICIPATION = "muskaritodistus", "päättötodistus", "osallistumistodistus"
CERTIFICATES = (MUSKARI, FINAL, PARTICIPATION)
