"""Finding services near a postcode: the radius search, its answer cache, the anonymous
search log, the results and service pages and the search API."""
