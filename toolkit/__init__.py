"""muskari: the student register toolkit of Annan Muskari.

The public API used by the CLI and the notebooks lives in small modules:
``toolkit.xlsx.reading`` (read the workbook), ``toolkit.rules.validation`` (check it),
``toolkit.rules`` (pure decisions), ``toolkit.xlsx.safe_write`` (the one safe write path).
"""

__version__ = "0.1.0"
