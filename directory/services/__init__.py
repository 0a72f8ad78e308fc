"""Writes for the directory, one module per concern (postcode import, centroids...)."""
