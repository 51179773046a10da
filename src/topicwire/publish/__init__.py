"""Writing what the store holds: records, listings, pages, feeds."""
