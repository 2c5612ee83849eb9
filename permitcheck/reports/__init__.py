"""Reports: each reads a serialisable result and writes it for one audience."""
