"""Specification of the shared-secret primitives, the secret file and address parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imbolc.net.auth import (
    NONCE_BYTES,
    client_proof,
    load_secret,
    new_nonce,
    new_token,
    proofs_match,
    server_proof,
)
from imbolc.net.codec import NetError
from imbolc.net.config import parse_address


def test_proofs_depend_on_the_secret_and_both_nonces() -> None:
    a, b = new_nonce(), new_nonce()
    assert len(a) == NONCE_BYTES and a != b
    proof = client_proof(b"secret", a, b, "ana")
    assert proofs_match(proof, client_proof(b"secret", a, b, "ana"))
    assert not proofs_match(proof, client_proof(b"other", a, b, "ana"))
    assert not proofs_match(proof, client_proof(b"secret", b, a, "ana"))
    assert not proofs_match(proof, client_proof(b"secret", a, b, "bob"))


def test_a_server_proof_cannot_stand_in_for_a_client_proof() -> None:
    a, b = new_nonce(), new_nonce()
    assert server_proof(b"secret", a, b) != client_proof(b"secret", a, b, "")


def test_the_secret_never_appears_in_a_proof() -> None:
    proof = client_proof(b"hunter2", new_nonce(), new_nonce(), "ana")
    assert b"hunter2" not in proof


def test_tokens_are_128_bit_and_fresh() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) == 32 for token in tokens)


def test_a_secret_file_is_read_without_surrounding_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"  s3cret phrase \n")
    assert load_secret(path) == b"s3cret phrase"


def test_a_missing_secret_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "nope"
    with pytest.raises(NetError, match=f"cannot read the secret file {path}"):
        load_secret(path)


def test_an_empty_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_text("\n")
    with pytest.raises(NetError, match=f"the secret file {path} is empty"):
        load_secret(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("studio", ("studio", 9999)),
        ("10.0.0.2:7000", ("10.0.0.2", 7000)),
        ("[fd00::2]:7001", ("fd00::2", 7001)),
        ("[fd00::2]", ("fd00::2", 9999)),
        ("fd00::2", ("fd00::2", 9999)),
    ],
)
def test_addresses_are_read_with_the_default_port(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [(":9999", "the host is missing"), ("studio:99999", "'99999' is not a port"),
     ("studio:http", "'http' is not a port"), ("[fd00::2", "expected [IPv6]:PORT")],
)  # fmt: skip
def test_a_bad_address_is_named_in_the_error(text: str, problem: str) -> None:
    with pytest.raises(NetError, match=re.escape(f"cannot read the address '{text}': {problem}")):
        parse_address(text)
