"""The frozen executable's entry point: the same `main()` as `python -m app`."""

import multiprocessing
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--bridge-worker"]:
        # The connector-DLL bridge's child process (app/bridge/client.py starts it like this).
        from app.bridge.worker import main as bridge_worker

        bridge_worker()
    # The .evtx reader spawns worker processes; in a frozen build each child re-runs this
    # executable, and freeze_support() turns it into a worker instead of a second GUI.
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
