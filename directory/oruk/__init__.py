"""Open Referral UK 3.0 (the HSDS UK profile): CareHub's directory as an ORUK feed,
and other directories' ORUK feeds imported into CareHub.

- `api.py`, `urls.py`: the read endpoints under /o/ServiceDirectoryService/v3/.
- `selectors.py`: the querysets behind them; `mapping.py`: CareHub rows → ORUK objects.
- `taxonomy.py`: CareHub's categories and client groups as ORUK taxonomies with stable ids.
- `importer.py`, `fetch.py`: another directory's feed → unclaimed CareHub listings.
- `standard.py`: where the standard's schemas live, and its OpenAPI made self-contained.

Decisions and the mapping table: docs/adr/0010-open-referral-uk.md.
"""
