#!/bin/sh
# Re-make the sample dumps samples/NAME.prof from samples/NAME.py.
# Run from the repository root with relative paths: a dump records each function's file
# as the profiler saw it, so this keeps "samples/pipeline.py" in it instead of a path
# from the machine that made it.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
for name in pipeline recursive shared; do
  "$PYTHON" -m cProfile -o "samples/$name.prof" "samples/$name.py" >/dev/null
  echo "samples/$name.prof"
done
