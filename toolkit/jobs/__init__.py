"""One module per command: read -> check -> decide -> write, in order. The API the CLI and notebooks call."""
