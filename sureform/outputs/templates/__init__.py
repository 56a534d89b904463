"""Blank ready-to-fill workbooks, one per kind of input, that the readers read back."""
