"""Pure decisions: DataFrames, settings and ``today`` in; results and findings out. No I/O, no clock."""
