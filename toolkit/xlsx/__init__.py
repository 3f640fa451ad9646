"""The only owner of the register's bytes: sniff, fingerprint, read, zip package, sheet editor, row shifts,
deletion guard, scrub, apply, verify, safe write and the writer's backup copies."""
