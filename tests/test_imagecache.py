"""The image cache: real image bytes in, measured files out; failures reported, never fatal."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage

from topicwire.imagecache import cache_path, is_really_cached, keep_images, store_image
from topicwire.model import Image


@dataclass
class Fetched:
    body: bytes = b""
    content_type: str | None = "image/jpeg"
    error: str | None = None


def picture(width: int, height: int, fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_real_image_is_cached_with_its_true_size(tmp_path: Path) -> None:
    image = Image(url="https://example.com/a.jpg", width=10, height=10)
    result = store_image(image, Fetched(picture(640, 360)), tmp_path)
    assert result.error is None
    assert result.image is not None
    assert (result.image.width, result.image.height, result.image.is_cached) == (640, 360, True)
    assert result.path == cache_path(tmp_path, image.url, ".jpg")
    assert result.path.read_bytes() == picture(640, 360)
    assert is_really_cached(image, tmp_path)


def test_png_keeps_its_extension(tmp_path: Path) -> None:
    image = Image(url="https://example.com/chart")
    result = store_image(image, Fetched(picture(300, 200, "PNG"), "image/png"), tmp_path)
    assert result.path is not None and result.path.suffix == ".png"


def test_tiny_images_are_dropped(tmp_path: Path) -> None:
    result = store_image(Image(url="https://example.com/p.gif"), Fetched(picture(1, 1)), tmp_path)
    assert result.image is None
    assert result.error == "too small (1x1)"
    assert not any(tmp_path.rglob("*.*"))


def test_failures_keep_the_image_uncached(tmp_path: Path) -> None:
    image = Image(url="https://example.com/x.jpg", width=800, height=600, is_cached=True)
    cases = [
        (Fetched(error="HTTP 404"), "HTTP 404"),
        (Fetched(b"<html>nope</html>", "text/html"), "not an image: the server sent text/html"),
        (Fetched(b"\xff\xd8 not really a jpeg"), "not a readable image"),
    ]
    for fetched, reason in cases:
        result = store_image(image, fetched, tmp_path)
        assert result.image is not None
        assert result.image.is_cached is False
        assert result.image.width == 800  # what the page said is kept
        assert result.error is not None and result.error.startswith(reason)
        assert result.path is None
    assert not is_really_cached(image, tmp_path)


def test_keep_images_preserves_order_and_drops_pixels(tmp_path: Path) -> None:
    images = [Image(url=f"https://example.com/{n}.jpg") for n in range(3)]
    results = [
        store_image(images[0], Fetched(picture(400, 300)), tmp_path),
        store_image(images[1], Fetched(picture(2, 2)), tmp_path),
        store_image(images[2], Fetched(error="timeout"), tmp_path),
    ]
    kept = keep_images(results)
    assert [image.url for image in kept] == [images[0].url, images[2].url]
    assert [image.is_cached for image in kept] == [True, False]
