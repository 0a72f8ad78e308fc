"""The directory's REST API (/api/v1/): postcode lookup and service search."""
