"""The editor: `natslint server`, a language server built on pygls."""
