from toolkit.cli.main import entry

raise SystemExit(entry())
