"""Postcodes and positions: the Code-Point Open / ONSPD import and the sector and district centroid table."""
