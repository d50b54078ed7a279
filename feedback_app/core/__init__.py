"""Infrastructure every package may use: the database, SQL helpers, the clock, paging, leases, numbers, languages.
Imports no domain.
"""
