"""Intake: which inbox files are ready, and what each one says, normalised.

`inbox` (ready files, guarded release), `grid` (any spreadsheet to rows of cells, bounded), `tables` and
`labels` (header rows, synonyms), `values` (学号, dates, ranks, 是/否), `semesters`, `kinds` (recognising a
file's kind: the registry table), `readers/` (one module per kind), `supplied` (the league office's Word files).

May import: the foundation (`sureform.issues`, `model`, `editions`, `store`, `atomic`). Never checks, rules,
outputs, pipeline or flows.
"""
