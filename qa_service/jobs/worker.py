"""The embedded worker: threads inside the service (or ``qa-service worker``) that take
jobs from the database queue. Nothing to install beyond the service itself."""

from __future__ import annotations

import logging
import os
import socket
import threading

from qa_service.config import Settings
from qa_service.engines.registry import Engines
from qa_service.jobs.analyzer import Analyzer, make_analyzer
from qa_service.jobs.retention import PurgeSchedule
from qa_service.jobs.tasks import Outcome, WorkerContext, run_job
from qa_service.store.db import Database

log = logging.getLogger(__name__)


def owner_name(prefix: str, index: int = 0) -> str:
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}:{index}"


class EmbeddedWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        analyzer: Analyzer | None = None,
        threads: int | None = None,
        engines: Engines | None = None,
    ) -> None:
        # One set of models for all threads (and the app's, when it passes its own).
        engines = engines or Engines(settings)
        analyzer = analyzer or make_analyzer(settings, engines)
        self.ctx = WorkerContext(db, settings, analyzer, engines)
        self.threads = max(1, threads if threads is not None else settings.embedded_workers)
        self.purges = PurgeSchedule(db, settings)
        self.stopping = threading.Event()
        self.wakeup = threading.Event()
        self._threads: list[threading.Thread] = []

    def run_once(self, index: int = 0) -> Outcome:
        """Run the next job if there is one (what each thread does in a loop)."""
        return run_job(self.ctx, owner_name("embedded", index))

    def run_until_idle(self) -> int:
        """Run jobs until none is claimable; returns how many ran. For tests and batch use."""
        ran = 0
        while self.run_once() is not Outcome.nothing:
            ran += 1
        return ran

    def wake(self) -> None:
        self.wakeup.set()

    def _loop(self, index: int) -> None:
        self.ctx.analyzer.warm_up()
        while not self.stopping.is_set():
            if index == 0:
                self.purges.tick()
            try:
                outcome = self.run_once(index)
            except Exception:  # the database went away for a moment: wait and try again
                log.exception("embedded worker %s: cannot take a job", index)
                outcome = Outcome.nothing
            if outcome is Outcome.nothing:
                self.wakeup.wait(self.ctx.settings.worker_poll_s)
                self.wakeup.clear()

    def start(self) -> EmbeddedWorker:
        for index in range(self.threads):
            thread = threading.Thread(
                target=self._loop, args=(index,), name=f"qa-worker-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout_s: float | None = None) -> None:
        """Finish the running job, then stop; a job cut short is retried after its lease."""
        self.stopping.set()
        self.wakeup.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads.clear()

    def join(self) -> None:
        for thread in self._threads:
            thread.join()
