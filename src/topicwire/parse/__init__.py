"""Turning inputs into domain objects: records (markdown, JSON Lines) into Articles."""
