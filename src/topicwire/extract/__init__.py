"""Extraction: clean article text and metadata from HTML or plain text, and the repair stage.

- :func:`extract_html` - a fetched page -> :class:`Extracted` (text via trafilatura, metadata from
  Open Graph / Twitter / JSON-LD / ``<link rel=canonical>``, dates, images, excerpt);
- :func:`extract_text` - plain text or markdown -> :class:`Extracted`;
- :func:`repair_text` / :func:`repair_field` - the repair stage on its own, with :class:`Repairs`
  counting each kind of fix for the quality stage.
"""

from topicwire.extract.excerpt import make_excerpt
from topicwire.extract.html import extract_html
from topicwire.extract.repair import Repairs, repair_field, repair_text
from topicwire.extract.result import Extracted, ExtractError
from topicwire.extract.text import extract_text

__all__ = [
    "ExtractError",
    "Extracted",
    "Repairs",
    "extract_html",
    "extract_text",
    "make_excerpt",
    "repair_field",
    "repair_text",
]
