"""Inside a job: run one pickled call and leave its outcome as an artifact.

``python -m atrium.sdk.jobs.runner <base64 pickle of (function, args, kwargs)>``. The outcome,
``("ok", value)`` or ``("error", summary, traceback)``, goes to ``$ATRIUM_ARTIFACTS_DIR/`` as
:data:`RESULT`; an error also prints its traceback to the log and exits 1, so the job fails
(and retries, if it may).
"""

from __future__ import annotations

import base64
import os
import pickle
import sys
import traceback
from pathlib import Path

RESULT = "atrium-function-result.pickle"


def main(argv: list[str]) -> int:
    function, args, kwargs = pickle.loads(base64.b64decode(argv[1]))
    out = Path(os.environ["ATRIUM_ARTIFACTS_DIR"]) / RESULT
    try:
        outcome: tuple[object, ...] = ("ok", function(*args, **kwargs))
        code = 0
    except Exception as exc:  # reported to the caller, who re-raises it
        trace = traceback.format_exc()
        sys.stderr.write(trace)
        outcome, code = ("error", f"{type(exc).__name__}: {exc}", trace), 1
    out.write_bytes(pickle.dumps(outcome))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
