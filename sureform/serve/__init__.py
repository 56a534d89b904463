"""`sureform serve`: the unattended process (watch the inbox, consolidate every night) and its plain helpers.

Nothing here imports Prefect at module level: `main` and the flows import it lazily, so `summary`,
`nightly` and `server` stay usable (and testable) without it.
"""
