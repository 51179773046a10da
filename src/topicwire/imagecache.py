"""Download article images into the site's ``cache/images/`` and measure them.

An image is fetched through the same guarded fetcher as pages (SSRF guard, size cap, robots),
must say it is an image and must open with Pillow; its width and height come from the file itself.
``isCached`` is true only when the file is really on disk. A failed image is reported with its
reason and the article keeps the image's URL (uncached); nothing here ever drops an article.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from topicwire.model import Image

log = logging.getLogger(__name__)

_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "AVIF": ".avif"}
PILImage.MAX_IMAGE_PIXELS = 50_000_000  # refuse decompression bombs early


class _Fetched(Protocol):
    @property
    def error(self) -> str | None: ...
    @property
    def body(self) -> bytes: ...
    @property
    def content_type(self) -> str | None: ...


@dataclass(frozen=True)
class CachedImage:
    """The outcome for one image: the (possibly updated) Image, and the reason if it failed."""

    image: Image | None  # None: dropped (too small, a pixel)
    path: Path | None = None
    error: str | None = None


def cache_path(cache_dir: Path, url: str, extension: str) -> Path:
    """Where the image of ``url`` is kept: ``ab/abcdef....ext`` under ``cache_dir``."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return cache_dir / digest[:2] / f"{digest}{extension}"


def store_image(
    image: Image, fetched: _Fetched, cache_dir: Path, *, min_size: int = 100
) -> CachedImage:
    """Check a fetched image, write it to the cache and return the image with its real size."""
    if fetched.error:
        return CachedImage(image=image.model_copy(update={"is_cached": False}), error=fetched.error)
    kind = (fetched.content_type or "").split(";", 1)[0].strip().lower()
    if kind and not kind.startswith("image/"):
        reason = f"not an image: the server sent {kind}"
        return CachedImage(image=image.model_copy(update={"is_cached": False}), error=reason)
    try:
        with PILImage.open(io.BytesIO(fetched.body)) as picture:
            width, height = picture.size
            image_format = picture.format or ""
            picture.verify()
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError) as exc:
        reason = f"not a readable image ({exc.__class__.__name__}: {exc})"
        return CachedImage(image=image.model_copy(update={"is_cached": False}), error=reason)
    if width < min_size or height < min_size:
        log.info("dropped %s: %dx%d is below %d px", image.url, width, height, min_size)
        return CachedImage(image=None, error=f"too small ({width}x{height})")
    path = cache_path(cache_dir, image.url, _EXTENSIONS.get(image_format, ".img"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(fetched.body)
    tmp.replace(path)
    cached = image.model_copy(update={"width": width, "height": height, "is_cached": True})
    return CachedImage(image=cached, path=path)


def cached_file(image: Image, cache_dir: Path) -> Path | None:
    """The cached file of ``image`` (whatever its extension), or ``None``."""
    digest = hashlib.sha256(image.url.encode("utf-8")).hexdigest()
    folder = cache_dir / digest[:2]
    if not folder.is_dir():
        return None
    return next(iter(sorted(folder.glob(f"{digest}.*"))), None)


def is_really_cached(image: Image, cache_dir: Path) -> bool:
    """True when the cache holds a file for ``image`` (whatever its extension)."""
    return cached_file(image, cache_dir) is not None


def keep_images(results: Sequence[CachedImage]) -> list[Image]:
    """The images to keep on the article, in order (dropped ones left out)."""
    return [result.image for result in results if result.image is not None]
