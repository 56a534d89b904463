"""Readers: one module per kind of input, each turning grids into normalised records and issues."""
