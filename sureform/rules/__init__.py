"""Rules: deciding the form's items and the section 四 figures from the master dataset.

- `library`: the rule kinds (`RULE_KINDS`, an explicit table), each a function with declared parameters and
  issue codes; an edition file composes them into numbered items. `load_edition` loads and checks an edition.
- `structure`, `staff`, `selection`, `council`, `party`: the rule kinds' functions, by subject; `chain`,
  `people`, `scoring`, `semester_scores`, `workdays`, `dates`: what they compute with.
- `view` (what the rules read), `outcome` and `evidence` (what a verdict is made of), `figures` (section 四),
  `master` (the master view as of the filing date: findings, verdicts, figures, in that order).
- `form_import`: an edition read from the official blank form (.docx): each item's rule kind and parameters
  recognised from its text (`sureform editions import`).

May import: `sureform.editions`, `issues`, `model`, `store`, and `sureform.intake` and `sureform.checks`
(the roster findings are the roster checks run on the whole master). Never outputs, pipeline or flows.
"""
