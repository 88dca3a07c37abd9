"""natslint: a static linter for fleets of NATS servers."""

__version__ = "0.1.0"
