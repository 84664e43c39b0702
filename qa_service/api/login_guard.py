"""Guessing passwords is slowed down, and password hashing cannot eat the server.

Failed sign-ins are counted per account and per client address in a sliding window; past
the limit a sign-in is answered 429 with ``Retry-After`` before any password is checked.
Each Argon2 check costs ~64 MiB and a CPU core for a moment, so at most
``login_concurrent_hashes`` run at once, in worker threads (never on the event loop); a few
more sign-ins wait for a slot without holding a thread, and beyond that queue the answer is
503 with ``Retry-After``. All state is in process memory and bounded.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from qa_service.api.errors import BusyError, TooManyRequestsError
from qa_service.config import Settings

T = TypeVar("T")
# Keys remembered per window; the least recently failed ones are forgotten first.
MAX_KEYS = 10_000


class SlidingWindow:
    """Up to ``limit`` events per key within ``window_s`` seconds; memory bounded by
    ``max_keys`` x ``limit`` timestamps."""

    def __init__(self, limit: int, window_s: float, max_keys: int = MAX_KEYS) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def wait_s(self, key: str, now: float | None = None) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._recent(key, now)
            if events is None or len(events) < self.limit:
                return 0.0
            return events[0] + self.window_s - now

    def add(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._recent(key, now)
            if events is None:
                events = self._events[key] = deque(maxlen=self.limit)
            events.append(now)
            self._events.move_to_end(key)
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)

    def clear(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)


class LoginGuard:
    """One per application: the failure counters and the password-hashing slots."""

    def __init__(self, settings: Settings) -> None:
        window = settings.login_window_s
        self.accounts = SlidingWindow(settings.login_failures_per_account, window)
        self.addresses = SlidingWindow(settings.login_failures_per_address, window)
        self.slots = anyio.CapacityLimiter(settings.login_concurrent_hashes)
        self.max_waiting = settings.login_max_waiting

    @staticmethod
    def _account(username: str) -> str:
        return username.strip().lower()[:64]

    def check(self, username: str, address: str) -> None:
        """429 while the account or the address has failed too often lately."""
        wait = max(self.accounts.wait_s(self._account(username)), self.addresses.wait_s(address))
        if wait > 0:
            raise TooManyRequestsError("too many failed sign-ins; try again later", wait)

    def failed(self, username: str, address: str) -> None:
        self.accounts.add(self._account(username))
        self.addresses.add(address)

    def succeeded(self, username: str) -> None:
        """The owner got in: their account's count starts again (the address's does not)."""
        self.accounts.clear(self._account(username))

    async def hash_off_loop(self, work: Callable[..., T], *args: object) -> T:
        """Run ``work`` (which checks or makes a password hash) in a worker thread once a
        hashing slot is free; 503 when too many are already waiting."""
        if self.slots.statistics().tasks_waiting >= self.max_waiting:
            raise BusyError("too many sign-ins at once; try again in a moment", 2)
        return await anyio.to_thread.run_sync(work, *args, limiter=self.slots)
