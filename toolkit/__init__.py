"""muskari: the student register toolkit of Annan Muskari.

The public API used by the CLI and the notebooks lives in small modules:
``toolkit.reading`` (read the workbook), ``toolkit.validation`` (check it),
``toolkit.rules`` (pure decisions), ``toolkit.writing`` (the one safe write path).
"""

__version__ = "0.1.0"
