"""The demo: an invented corpus, a local server for it, and the run that fetches it."""
