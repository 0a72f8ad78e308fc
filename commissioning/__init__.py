"""Commissioning: where a council's care money goes, where people search and find little,
and the public spending page. An app without models: it reads the marketplace's ledger
and the directory's search log."""
