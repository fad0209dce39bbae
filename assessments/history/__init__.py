"""The change history of one collection: the reads and the page."""
