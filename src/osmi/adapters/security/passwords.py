"""Argon2id password hashes (RFC 9106 parameters via argon2-cffi's defaults)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2idHasher:
    def __init__(self) -> None:
        self._hasher = PasswordHasher()  # argon2id is the library's default type

    async def hash(self, password: str) -> str:
        # Hashing takes tens of milliseconds of CPU: keep it off the event loop.
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        try:
            return await asyncio.to_thread(self._hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
