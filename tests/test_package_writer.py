"""Writing the output package (:mod:`addin.xlsx.package_writer`): deflating in
pieces side by side. What the whole write keeps byte for byte is tested through
``write_results`` in ``test_writer.py``."""

from __future__ import annotations

import pytest

import addin.xlsx.package_writer as package_writer


@pytest.mark.parametrize(
    "size", [0, 1, 2 * 1024 * 1024 - 1, 2 * 1024 * 1024, 2 * 1024 * 1024 + 1, 5 * 1024 * 1024 + 7]
)
def test_deflate_in_pieces_is_one_stream(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts deflated in pieces side by side inflate to exactly the bytes given,
    as one raw deflate stream, and compress as well as one piece would."""
    import random
    import zlib

    monkeypatch.setattr(package_writer.os, "cpu_count", lambda: 4)  # pieces on any machine

    rnd = random.Random(size)
    words = [b"<c r=\"A1\"><v>", b"</v></c>", b"0.5", b"row", bytes(range(256))]
    content = b"".join(rnd.choice(words) for _ in range(size // 8 + 1))[:size]
    for level in (1, 6):
        data = package_writer.deflate(content, level)
        assert zlib.decompress(data, -15) == content
        whole = zlib.compressobj(level, zlib.DEFLATED, -15)
        assert len(data) <= len(whole.compress(content) + whole.flush()) * 1.01 + 64
