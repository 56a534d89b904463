"""Data, not code: `editions/*.toml`, one file per edition of the filing form (items, their rule kinds and
parameters, texts, header fields, vocabularies). Read by `sureform.editions`; checked by `sureform.rules.library`.
"""
