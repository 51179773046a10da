"""What extraction returns: :class:`Extracted`, and how it becomes an article record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from topicwire.errors import TopicwireError
from topicwire.extract.repair import Repairs
from topicwire.model import Article, Image, Provider


class ExtractError(TopicwireError):
    """A page or text could not be turned into an article (e.g. it has no title at all)."""


@dataclass
class Extracted:
    """Clean article text and metadata of one page; every text field has been repaired.

    ``canonical_url`` is the webUrl (see :mod:`topicwire.extract.webid` for when the page's own
    canonical is trusted); ``original_url`` is the URL as found, untouched. ``repairs`` sums the
    fixes made in every field.
    """

    title: str = ""
    excerpt: str = ""
    text: str = ""
    author: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    original_url: str | None = None
    provider_name: str | None = None
    provider_domain: str | None = None
    images: list[Image] = field(default_factory=list)
    og_type: str | None = None
    json_ld_type: str | None = None
    site_name: str | None = None
    repairs: Repairs = field(default_factory=Repairs)

    def page_meta(self) -> dict[str, str]:
        """Page metadata that is not a record field (kept for the enrich stage, unpublished)."""
        pairs = {
            "author": self.author,
            "language": self.language,
            "ogType": self.og_type,
            "jsonLdType": self.json_ld_type,
            "siteName": self.site_name,
        }
        return {key: value for key, value in pairs.items() if value}

    def to_article(self, category: str = "news", type: str = "article") -> Article:
        """The article record: title, excerpt, dates, URLs, provider, images and the text as body.

        The unpublished fields are filled too: ``text``, ``repairs`` and ``meta``.

        Raises :class:`ExtractError` when there is no title (an article record needs one).
        """
        if not self.title:
            raise ExtractError(f"no title found for {self.original_url or 'the input'}")
        provider = None
        if self.provider_name or self.provider_domain:
            provider = Provider(name=self.provider_name, domain=self.provider_domain)
        return Article(
            category=category,
            title=self.title,
            excerpt=self.excerpt or None,
            published_at=self.published_at,
            updated_at=self.updated_at,
            original_url=self.original_url,
            web_url=self.canonical_url,
            type=type,
            provider=provider,
            images=[image.model_copy() for image in self.images],
            body=self.text,
            text=self.text,
            repairs=self.repairs.as_dict(),
            meta=self.page_meta(),
        )
