"""The formats ``topicwire export`` writes (a module of its own: the command line reads it to
build its options without loading the exporter)."""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    """What ``export`` writes."""

    MD = "md"
    JSONL = "jsonl"
