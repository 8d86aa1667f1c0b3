"""The FIT checksum (CRC-16, the FIT SDK's polynomial), computed a block of bytes at a time.

A byte-at-a-time loop in Python costs about 0.1 µs per byte: half a second for a day-long run.
The checksum is linear, so the file is cut into equal blocks whose checksums numpy computes side
by side, one byte column per step, and the block checksums are then chained in order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Uint16Array = npt.NDArray[np.uint16]


def _byte_table() -> Uint16Array:
    """The checksum's step for each byte value, as the FIT SDK's nibble tables give it."""
    nibbles = (
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
        0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    )  # fmt: skip
    table = []
    for byte in range(256):
        crc = 0
        for nibble in (byte & 0xF, byte >> 4):
            crc = ((crc >> 4) & 0x0FFF) ^ nibbles[crc & 0xF] ^ nibbles[nibble]
        table.append(crc)
    return np.array(table, dtype=np.uint16)


TABLE = _byte_table()
_TABLE_LIST: list[int] = TABLE.tolist()
# Below this many bytes a plain loop is as quick as setting up the blocks.
SMALL_BYTES = 4096


def crc16(data: bytes | memoryview) -> int:
    """The FIT CRC of `data` (a header, or a header and its messages)."""
    size = len(data)
    crc = 0
    if size <= SMALL_BYTES:
        table = _TABLE_LIST
        for byte in bytes(data):
            crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
        return crc
    # Blocks of about sqrt(size) bytes balance numpy's steps (one per byte of a block) against
    # the Python loop that chains the blocks.
    block = max(64, int(size**0.5))
    blocks = -(-size // block)
    # Zeros in front of a checksum started at 0 leave it at 0, so the first block is padded.
    padded = np.zeros(blocks * block, dtype=np.uint8)
    padded[blocks * block - size :] = np.frombuffer(data, dtype=np.uint8)
    columns = np.ascontiguousarray(padded.reshape(blocks, block).T)
    # 16 more rows, fed zeros, start from each single bit: where a block's running checksum
    # ends up after `block` more bytes, which is what chaining needs.
    zeros = np.zeros((block, 16), dtype=np.uint8)
    columns = np.concatenate((columns, zeros), axis=1)
    state = np.zeros(blocks + 16, dtype=np.uint16)
    state[blocks:] = np.left_shift(1, np.arange(16)).astype(np.uint16)
    for column in columns:
        state = (state >> 8) ^ TABLE[(state ^ column) & 0xFF]
    sums: list[int] = state[:blocks].tolist()
    bits = state[blocks:].astype(np.int64)
    values = np.arange(256)
    # Shifting a checksum through a block of zeros is linear: two tables, low and high byte.
    low: list[int] = np.bitwise_xor.reduce(
        np.where((values[:, None] >> np.arange(8)) & 1, bits[None, :8], 0), axis=1
    ).tolist()
    high: list[int] = np.bitwise_xor.reduce(
        np.where((values[:, None] >> np.arange(8)) & 1, bits[None, 8:], 0), axis=1
    ).tolist()
    for block_sum in sums:
        crc = low[crc & 0xFF] ^ high[crc >> 8] ^ block_sum
    return crc
