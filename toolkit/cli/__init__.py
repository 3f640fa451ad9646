"""The command line: the parser, the common options and one small module per command."""
