"""Pure shared types: findings and the message catalogue, errors, tables, text, A1 references, dates, formatting."""
