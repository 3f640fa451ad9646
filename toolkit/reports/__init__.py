"""What a command prints: tables, JSON and CSV, the check report, change reports and the semester summary."""
