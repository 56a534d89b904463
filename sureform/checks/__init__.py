"""Checks: the schemas that validate what intake read, batch by batch.

`batch` (the validators by kind, one call per batch), `roster` and `score` (the checks of each kind),
`roster_schema` and `score_schema` (the pandera models, parameterised by the edition: their check names are
issue codes), `failures` (pandera's `failure_cases` mapped back to file, sheet and cell). The issue catalogue
itself is `sureform.issues`, below every stage, because readers raise issues too.

May import: the foundation and `sureform.intake` (the readers' field definitions). Never rules, outputs,
pipeline or flows.
"""
