"""``huddle scheduler``: run the loaders on their schedules in this process, leading or standing by. What it does
is logged (time, level), not printed, so the service's journal holds one dated line per event and per load run."""

from __future__ import annotations

import logging
import signal
import threading

from apscheduler.triggers.interval import IntervalTrigger
from huddle.dashboard.scheduler import LEADER_CHECK_S, LEADER_POLL_S, build_scheduler, lock_for
from huddle.dashboard.services.container import Services

log = logging.getLogger("huddle.scheduler")

STOP_POLL_S = 1.0  # the waiting thread also looks for a stop this often, whatever wakes it


def cmd_scheduler(services: Services) -> int:
    """Run the loaders on their schedules in this process (blocks); exit 3 if leadership is lost."""
    lock = lock_for(services)
    if not lock.acquire():
        log.info("another scheduler (%s) runs the loaders for %s; standing by", lock.holder() or "gone by now",
                 services.config.site_name)
        lock.acquire(wait=True, poll_s=LEADER_POLL_S)
        log.info("the other scheduler has stopped: taking over")
    cut_off = services.loader.close_interrupted_runs()
    if cut_off:
        log.warning("%d runs were cut off by a scheduler that stopped mid-run; their files are read again", cut_off)
    # in the background: this thread only waits for a stop. A handler that raised SystemExit here was lost when the
    # signal came while APScheduler's loop submitted a job (it catches every exception there and logs it): the
    # process then ran on until systemd killed it
    scheduler = build_scheduler(services, blocking=False)
    lost, stopping = threading.Event(), threading.Event()

    def check_leadership() -> None:
        if not lock.still_held():
            lost.set()
            log.error("lost the scheduler lock (database connection gone?): no more loads from this process")
            scheduler.shutdown(wait=False)
            stopping.set()

    scheduler.add_job(check_leadership, IntervalTrigger(seconds=LEADER_CHECK_S), id="leader-check",
                      name="leader check")

    def stop(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)  # systemctl stop: finish the load in progress, then go
    log.info("scheduler: leading, %d sources for %s; Ctrl+C stops", len(services.config.sources),
             services.config.site_name)
    try:
        scheduler.start()
        while not stopping.wait(STOP_POLL_S):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler.running:  # a load in progress finishes before the lock goes, or a standby could start one
            scheduler.shutdown(wait=True)
        lock.release()
        services.dispose()
    return 3 if lost.is_set() else 0
