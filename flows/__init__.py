"""Prefect: the only package that imports it. Thin: each flow runs `sureform.pipeline`'s stages as tasks.

`intake`, `nightly` and `review` (the flows), `nightly_run` (the nightly without Prefect), `deployments` (the two
deployments and the watcher's trigger), `watch` (polling the inbox), `serve` and `server` (`sureform serve`
and its embedded server), `recovery` (nothing outlives serve; a restart finishes a killed run),
`retention` (bounded Prefect history), `summary` (the runs' markdown summaries), `cli` (`python -m flows`,
what `sureform serve` hands over to).

May import: anything in sureform. Nothing in sureform imports flows.
"""
