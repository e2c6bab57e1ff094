"""Readers: record files as people edit them (our CSV tables, Uwazi exports) → Record objects."""
