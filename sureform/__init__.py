"""sureform: departments' spreadsheets in, the student-union reform filing and its disclosure out.

A folder is a stage; `pipeline` states their order and takes the run lock once:

    intake/   read and recognise the inbox's files (inbox, grids, headers, values, kinds, readers/)
    checks/   validate them: batch validators, pandera models built from the edition, failures → cells
    rules/    decide the form's items: the rule library, the master view, evidence, section 四 figures
    outputs/  what people get: feedback workbooks, 汇总.xlsx, the Word documents, templates, the terminal

Beside them, the foundation every stage may import: `issues` (the one issue record and catalogue), `model`
(plain data passed between stages), `editions` (edition files), `store` (all SQL), `atomic` (atomic writes),
`runlock` (one run at a time), `config` (settings). And on top: `pipeline` (the stage order), `report` (the
typed run report), `cli` (the command line). Prefect lives only in the top-level package `flows/`, which
imports sureform and is never imported by it.
"""
