"""natslint: a static linter for fleets of NATS servers."""

__version__ = "0.2.0"

# Where the rule docs are published (a placeholder until the project has a public home).
__url__ = "https://github.com/natslint/natslint"
