"""Erasure beyond the register's cells: the proof scan of every file, and the record of erasures."""
