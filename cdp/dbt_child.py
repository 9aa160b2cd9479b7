"""`cdp-dbt`: dbt, run as a child process that never outlives the process that started it.

dagster-dbt runs `dbt build` as a subprocess of the run (`DbtCliResource(dbt_executable=…)`).
When the run is killed outright (`kill -9`, the OOM killer), nothing tells that subprocess: it
went on writing the warehouse after the run's lock was freed, racing the next run. The
resource starts this entry point instead of `dbt`; it ties dbt's life to its parent's, then
runs dbt in the same process (`dbt.cli.main.cli`: same arguments, output and exit code):

- on Linux, `prctl(PR_SET_PDEATHSIG, SIGKILL)`: the kernel kills it the moment its parent dies;
- everywhere, a watchdog thread that ends the process once its parent has changed (the parent
  died and the child was re-parented), checked twice a second;
- a parent that died before either was in place (during start-up) is caught by re-checking
  after both are set: the parent pid the run wrote in `PARENT_PID_ENV` must still be ours.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

# Set by the run (orchestration/resources.py: CdpDbtCliResource) before it starts dbt.
# Internal plumbing between the run and its child, not configuration.
PARENT_PID_ENV = "_CDP_DBT_PARENT_PID"
_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5
_ORPHANED = 137  # what a shell reports for a process killed by SIGKILL: the run is gone too


def _kernel_kills_us_with(parent: int) -> None:
    """Linux only: SIGKILL when the thread that started us (the run's) ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl (unusual libc): the watchdog still runs
        pass


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(_ORPHANED)  # no clean-up: the warehouse's transaction is rolled back on next open


def _orphaned(parent: int) -> bool:
    """True when the process that started us is gone already."""
    if os.getppid() != parent or parent == 1:
        return True
    expected = os.environ.get(PARENT_PID_ENV, "")
    if expected.isdigit() and int(expected) != parent:
        # Our parent is not the run that set the variable: we were re-parented before we
        # could read it, unless the variable is merely stale (that run is still alive).
        try:
            os.kill(int(expected), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    return False


def main() -> None:
    parent = os.getppid()
    _kernel_kills_us_with(parent)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="cdp-dbt-watchdog").start()
    if _orphaned(parent):
        print("cdp-dbt: the run that started dbt is gone; dbt not started.", file=sys.stderr)
        sys.exit(_ORPHANED)
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
