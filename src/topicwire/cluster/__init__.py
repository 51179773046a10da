"""Near-duplicates, stories, original reports and related coverage."""
