"""segno's choice of QR mask, computed with numpy (issue 16).

segno (pure Python) applies each of the eight data masks module by module and scores the
result (ISO/IEC 18004 7.8.3: N1 runs, N2 blocks, N3 finder-like patterns, N4 balance) in
Python loops: ~4-5 ms of the ~7 ms a certificate's QR code takes. :func:`fast_masks`
swaps in :func:`best_mask`, which does the same on arrays and returns the same mask and
matrix (tests/test_fast_docx_pictures.py compares the PNG with segno's own for many URLs),
for the duration of one ``make_qr`` call. Micro QR codes and a given mask go to segno.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence

import numpy as np
import segno.encoder as encoder

_original = encoder.find_and_apply_best_mask
_lock = threading.Lock()
_N3 = bytes((1, 0, 1, 1, 1, 0, 1))
_SEPARATOR = 255  # between rows when runs are counted: no module has this value


@contextlib.contextmanager
def fast_masks() -> Iterator[None]:
    """segno's mask choice through :func:`best_mask` while the block runs (one thread at a
    time: the module attribute is swapped)."""
    with _lock:
        encoder.find_and_apply_best_mask = best_mask
        try:
            yield
        finally:
            encoder.find_and_apply_best_mask = _original


def best_mask(matrix: Sequence[bytearray], width: int, height: int,
              proposed_mask: int | None = None) -> tuple[int, tuple[bytearray, ...]]:
    """segno's ``find_and_apply_best_mask``: the mask with the lowest penalty (the first
    of equals) and the matrix with it applied."""
    if proposed_mask is not None or width != height or width < 21:
        return _original(matrix, width, height, proposed_mask)  # type: ignore[no-any-return,unused-ignore]
    plain = _array(matrix)
    masked = plain[None, :, :] ^ _masks(width)  # (8, n, n)
    scores = _scores(masked)
    best = int(np.argmin(scores))  # argmin: the first of equal scores, as segno's "<"
    return best, tuple(bytearray(row.tobytes()) for row in masked[best])


def _array(matrix: Sequence[bytearray]) -> np.ndarray:
    return np.frombuffer(b"".join(matrix), dtype=np.uint8).reshape(len(matrix), -1)


def _masks(size: int) -> np.ndarray:
    """The eight data masks (1 where a module flips), limited to the encoding region."""
    function = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(function, size, size)
    encoder.add_alignment_patterns(function, size, size)
    function[-8][8] = 0x1
    region = _array(function) > 0x1
    i, j = np.indices((size, size))
    patterns = [(i + j) % 2 == 0, i % 2 == 0, j % 3 == 0, (i + j) % 3 == 0,
                (i // 2 + j // 3) % 2 == 0, (i * j) % 2 + (i * j) % 3 == 0,
                ((i * j) % 2 + (i * j) % 3) % 2 == 0,
                (((i + j) % 2) + (i * j) % 3) % 2 == 0]
    return (np.array(patterns) & region[None, :, :]).astype(np.uint8)


def _scores(masked: np.ndarray) -> np.ndarray:
    """segno's ``mask_scores`` summed, for each of the masked matrices."""
    size = masked.shape[1]
    n1 = _runs(masked, size) + _runs(masked.transpose(0, 2, 1), size)
    same = ((masked[:, 1:, 1:] == masked[:, 1:, :-1]) & (masked[:, 1:, 1:] == masked[:, :-1, 1:])
            & (masked[:, 1:, 1:] == masked[:, :-1, :-1]))
    n2 = 3 * same.sum(axis=(1, 2))
    n3 = np.array([sum(_n3(row.tobytes(), size) for row in m)
                   + sum(_n3(column.tobytes(), size) for column in m.T) for m in masked])
    dark = masked.sum(axis=(1, 2), dtype=np.int64)
    n4 = np.array([10 * int(abs(float(d) / size**2 * 100 - 50) / 5) for d in dark])
    return np.asarray(n1 + n2 + n3 + n4)


def _runs(masked: np.ndarray, size: int) -> np.ndarray:
    """N1: a run of five or more equal modules in a row scores its length - 2."""
    count = masked.shape[0]
    padded = np.full((count, size, size + 1), _SEPARATOR, dtype=np.uint8)
    padded[:, :, :size] = masked
    flat = padded.reshape(-1)
    starts = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
    lengths = np.diff(np.concatenate((starts, [flat.size])))
    keep = (flat[starts] != _SEPARATOR) & (lengths >= 5)
    owner = starts[keep] // (size * (size + 1))
    return np.bincount(owner, weights=lengths[keep] - 2, minlength=count).astype(np.int64)


def _n3(seq: bytes, size: int) -> int:
    """N3 as segno counts it: 1:1:3:1:1 with four light modules before or after it."""
    count = 0
    idx = seq.find(_N3)
    while idx != -1:
        offset = idx + 7
        if (idx in (0, size - 7) or not any(seq[max(idx - 4, 0):min(idx, size)])
                or not any(seq[max(offset, 0):min(offset + 4, size)])):
            count += 40
        else:
            offset = idx + 4
        idx = seq.find(_N3, offset)
    return count


