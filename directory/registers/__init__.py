"""The regulators' registers (Care Inspectorate, CQC): file importers, the sync engine,
grades and how they are shown."""
