"""The command line.  Each command lives in its own module and registers itself on the typer
app (natslint.cli.app) when imported; heavy imports stay inside commands.  The program's entry
point, which also names the language server, is natslint.program."""
