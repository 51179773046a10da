"""The ``secured`` field: sealing, opening, tamper detection and the site key."""

from __future__ import annotations

import base64
import logging
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.errors import ConfigError, ForeignSecuredError, SecuredError
from topicwire.secured import (
    KEY_ENV_VAR,
    SecuredPayload,
    decode_key,
    encode_key,
    generate_key,
    load_key,
    open_sealed,
    seal,
    write_key_file,
)


def _payload() -> SecuredPayload:
    return SecuredPayload(
        text="Full text — with ünïcode.\n\nSecond paragraph.",
        originalUrl="https://example.com/a?utm_source=x&fbclid=y",
        fetch={"fetched_at": "2024-01-01T00:00:00Z", "status": 200, "etag": '"abc"'},
    )


def _flip(value: str, part: int, index: int) -> str:
    """``value`` with one byte of its ciphertext (part 0) or nonce (part 1) changed."""
    parts = [bytearray(base64.b64decode(p)) for p in value.split(";")]
    parts[part][index] ^= 0x01
    return ";".join(base64.b64encode(bytes(p)).decode() for p in parts)


def test_round_trip() -> None:
    key = generate_key()
    payload = _payload()
    value = seal(payload, key)
    assert open_sealed(value, key) == payload


def test_value_layout() -> None:
    value = seal(_payload(), generate_key())
    sealed, nonce = value.split(";")
    assert len(base64.b64decode(nonce, validate=True)) == 16
    assert len(base64.b64decode(sealed, validate=True)) > 16
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*;[A-Za-z0-9+/]{22}==", value)


def test_extra_payload_keys_survive() -> None:
    key = generate_key()
    payload = SecuredPayload.model_validate({"text": "t", "source": "feed", "n": [1, 2]})
    assert open_sealed(seal(payload, key), key).model_dump() == payload.model_dump()


def test_nonce_is_random() -> None:
    key = generate_key()
    first, second = seal(_payload(), key), seal(_payload(), key)
    assert first != second
    assert first.split(";")[1] != second.split(";")[1]


@settings(max_examples=60, deadline=None)
@given(part=st.sampled_from([0, 1]), where=st.integers(min_value=0))
def test_tampering_is_detected(part: int, where: int) -> None:
    key = b"k" * 32
    value = seal(_payload(), key)
    size = len(base64.b64decode(value.split(";")[part]))
    with pytest.raises(ForeignSecuredError):
        open_sealed(_flip(value, part, where % size), key)


def test_every_byte_is_protected() -> None:
    key = generate_key()
    value = seal(SecuredPayload(text="x"), key)
    for part in (0, 1):
        size = len(base64.b64decode(value.split(";")[part]))
        for index in range(size):
            with pytest.raises(ForeignSecuredError):
                open_sealed(_flip(value, part, index), key)


def test_wrong_key() -> None:
    value = seal(_payload(), generate_key())
    with pytest.raises(ForeignSecuredError, match="cannot be opened with this site's key"):
        open_sealed(value, generate_key())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("no-separator", "expected"),
        ("a;b;c", "expected"),
        ("!!!;vXUhS6dTTY62fw487HjYJw==", "base64"),
        (f"{'A' * 44};{base64.b64encode(b'n' * 12).decode()}", "nonce is 12 bytes"),
        (f"QUJD;{base64.b64encode(b'n' * 16).decode()}", "too short"),
    ],
)
def test_malformed_values(value: str, reason: str) -> None:
    with pytest.raises(SecuredError, match=reason) as info:
        open_sealed(value, generate_key())
    assert not isinstance(info.value, ForeignSecuredError)


def test_not_our_json() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = generate_key()
    nonce = os.urandom(16)
    sealed = AESGCM(key).encrypt(nonce, b"not json", None)
    value = f"{base64.b64encode(sealed).decode()};{base64.b64encode(nonce).decode()}"
    with pytest.raises(SecuredError, match="not a topicwire payload") as info:
        open_sealed(value, key)
    assert not isinstance(info.value, ForeignSecuredError)


def test_seed_value_is_foreign(seed_path: Path) -> None:
    if not seed_path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{seed_path} is missing")
        pytest.skip(f"{seed_path} is not available")
    text = seed_path.read_text("utf-8")
    match = re.search(r'^secured:\s*"?([^"\n]+)"?\s*$', text, re.MULTILINE)
    assert match, "the seed has a secured: line"
    value = match.group(1)
    assert len(base64.b64decode(value.split(";")[1], validate=True)) == 16
    with pytest.raises(ForeignSecuredError, match="cannot be opened with this site's key"):
        open_sealed(value, generate_key())


def test_key_encoding() -> None:
    key = generate_key()
    text = encode_key(key)
    assert len(text) == 44
    assert decode_key(text) == key
    assert decode_key(key.hex()) == key
    assert decode_key(key.hex().upper() + "\n") == key


@pytest.mark.parametrize(
    "text",
    ["", "short", base64.b64encode(b"x" * 16).decode(), "z" * 64, "A" * 43 + "!", "ab" * 31],
)
def test_bad_key_text(text: str) -> None:
    with pytest.raises(ConfigError, match="expected a 32-byte key"):
        decode_key(text)


def test_key_file_mode_and_no_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    key = write_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == encode_key(key) + "\n"
    assert load_key(tmp_path, env={}) == key
    with pytest.raises(ConfigError, match="refusing to overwrite"):
        write_key_file(path)
    assert load_key(tmp_path, env={}) == key


def test_env_key_wins(tmp_path: Path) -> None:
    write_key_file(tmp_path / "secret.key")
    other = generate_key()
    assert load_key(tmp_path, env={KEY_ENV_VAR: encode_key(other)}) == other
    assert load_key(None, env={KEY_ENV_VAR: other.hex()}) == other


def test_bad_env_key(tmp_path: Path) -> None:
    write_key_file(tmp_path / "secret.key")
    with pytest.raises(ConfigError, match=KEY_ENV_VAR):
        load_key(tmp_path, env={KEY_ENV_VAR: "not-a-key"})


def test_missing_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"secret\.key not found"):
        load_key(tmp_path, env={})
    with pytest.raises(ConfigError, match=KEY_ENV_VAR):
        load_key(None, env={})


def test_readable_key_file_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "secret.key"
    key = write_key_file(path)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="topicwire.secured"):
        assert load_key(tmp_path, env={}) == key
    assert "readable by other users" in caplog.text


def test_bad_key_file(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("garbage\n")
    with pytest.raises(ConfigError, match=r"secret\.key"):
        load_key(tmp_path, env={})
