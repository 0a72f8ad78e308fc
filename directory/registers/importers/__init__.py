"""Importers for the regulators' registers (Care Inspectorate, CQC).

`sync.register_sync` is the one engine: each regulator's module parses its file
into `RegisterRecord`s and error rows, and the engine applies the sync rules.
"""
