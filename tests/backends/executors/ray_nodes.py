"""Runs the Ray test cluster's two nodes; ``ray_cluster.py`` starts it as its own process.

``ray start`` refuses to add a worker node while ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, and
without that variable Ray 2.60 replaces ``--node-ip-address=127.0.0.1`` by the machine's
network address. Ray's own multi-node test harness (``ray.cluster_utils.Cluster``) starts the
same processes (GCS, raylets, dashboard, agents) without that check, so both nodes here bind
loopback only. Usage: ``python ray_nodes.py CONFIG_JSON``; prints one JSON line once both
nodes are up, then runs until SIGTERM and stops its nodes.
"""

from __future__ import annotations

import json
import signal
import sys

from ray.cluster_utils import Cluster


def main() -> None:
    config = json.loads(sys.argv[1])
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    cluster = Cluster(initialize_head=True, head_node_args=config["head"])
    try:
        cluster.add_node(**config["worker"])
        ready = {"gcs": cluster.gcs_address, "dashboard": cluster.webui_url}
        print(json.dumps(ready), flush=True)
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
    finally:
        cluster.shutdown()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main()
