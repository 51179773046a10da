"""Enrichment: topics, type and category, language, embeddings."""
