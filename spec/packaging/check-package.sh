#!/usr/bin/env bash
# Packs the package once (prepack builds dist/) into a temp dir, or takes the tarball in
# PCLOUD_ZIP_PROGRESS_TARBALL, and checks it:
#   1. its file list is exactly the expected one (dist entry points, LICENSE, README.md,
#      package.json),
#   2. the bin has its shebang and is executable,
#   3. publint --strict (warnings fail too),
#   4. @arethetypeswrong/cli with the node16 profile (node16 CJS/ESM + bundler; see below).
# Exits non-zero on the first problem. Usage: npm run check:package [-- --keep]
#
# Why --profile node16: attw's default profile also resolves with TypeScript's legacy
# `moduleResolution: node10`, which ignores "exports" and so cannot see the
# `pcloud-zip-progress/testing` subpath (NoResolution). node10 is deprecated in TypeScript 6 and
# this package needs Node >= 20.19; the root entry still resolves under node10 (main/types).
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp="$(mktemp -d "${TMPDIR:-/tmp}/pcloud-zip-progress-pack.XXXXXX")"
if [[ "${1:-}" == "--keep" ]]; then
  echo "keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi

if [[ -n "${PCLOUD_ZIP_PROGRESS_TARBALL:-}" ]]; then
  # .ci/run packs once for this script and the consumer spec.
  echo "== tarball from PCLOUD_ZIP_PROGRESS_TARBALL"
  cp "$PCLOUD_ZIP_PROGRESS_TARBALL" "$tmp/"
else
  echo "== npm pack (runs prepack: npm run build)"
  npm pack --pack-destination "$tmp" >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; exit 1; }
fi
tarballs=("$tmp"/*.tgz)
tarball="${tarballs[0]}"
echo "packed $(basename "$tarball") ($(wc -c <"$tarball") bytes)"

echo "== tarball contents"
expected="$(cat <<'LIST'
LICENSE
README.md
dist/chunk-*.js
dist/index.cjs
dist/index.d.cts
dist/index.d.ts
dist/index.js
dist/node/index.cjs
dist/node/index.d.cts
dist/node/index.d.ts
dist/node/index.js
dist/otel/index.cjs
dist/otel/index.d.cts
dist/otel/index.d.ts
dist/otel/index.js
dist/otel/node.cjs
dist/otel/node.d.cts
dist/otel/node.d.ts
dist/otel/node.js
dist/testing/cli.js
dist/testing/index.cjs
dist/testing/index.d.cts
dist/testing/index.d.ts
dist/testing/index.js
package.json
LIST
)"
# Shared ESM chunks get content-hashed names: compare them as one pattern.
actual="$(tar -tzf "$tarball" | sed -e 's|^package/||' -e 's|^dist/chunk-[A-Za-z0-9_-]*\.js$|dist/chunk-*.js|' | sort -u)"
if [[ "$actual" != "$expected" ]]; then
  echo "unexpected tarball contents (- expected, + actual):"
  diff <(echo "$expected") <(echo "$actual") || true
  [[ -f README.md ]] || echo "README.md is listed in package.json \"files\" but does not exist"
  exit 1
fi
echo "ok: $(tar -tzf "$tarball" | wc -l) files"

echo "== bin"
tar -xzf "$tarball" -C "$tmp"
cli="$tmp/package/dist/testing/cli.js"
[[ "$(head -n1 "$cli")" == "#!/usr/bin/env node" ]] || { echo "dist/testing/cli.js has no shebang"; exit 1; }
[[ -x "$cli" ]] || { echo "dist/testing/cli.js is not executable in the tarball"; exit 1; }
echo "ok: shebang, mode $(stat -c %a "$cli")"

echo "== publint"
npx --no-install publint run "$tarball" --strict

echo "== attw"
npx --no-install attw "$tarball" --profile node16 --format table-flipped
