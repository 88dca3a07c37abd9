"""The rules: :mod:`base` (what a rule is), one module per family or per rule,
:mod:`registry` (the tuple the runner walks) and :mod:`runner` (running them over a fleet).

The codes themselves, rules and input problems alike, live in :mod:`natslint.codes`.
"""
