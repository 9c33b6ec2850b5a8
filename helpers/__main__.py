import logging
import os
import sys

from .cli import main

code = main()
if sys.argv[1:2] == ["workshop"]:
    sys.exit(code)  # runs notebook kernels: let the normal shutdown clean them up
# Every other command has finished its work and closed its files: leave without Python's
# teardown. An Arrow CSV reader's read-ahead can finish on a worker thread while Python
# finalises; dropping its Python row handler then needs the GIL and aborts the process
# ("terminate called without an active exception", exit 134; apache/arrow#34314), which made
# a clean exit 3 a crash in about 3 % of runs. Flush what teardown would have flushed.
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(int(code or 0))
