#!/usr/bin/env bash
# First paint of the Client Portal sign-in page, as Lighthouse's mobile
# preset sees it (simulated slow 4G and a mid-range phone's CPU): the
# performance and accessibility scores, LCP and CLS (issue 13's targets:
# performance >= 95, LCP <= 1.5 s, CLS <= 0.05, accessibility 100).
#
# Runs the release build on a fresh demo database on a free port, three
# Lighthouse runs (the median is reported: one run varies), writes the table
# to target/lighthouse.md and into BENCHMARKS.md between its markers, and
# fails when a target is missed. Not part of scripts/test.sh (a minute or
# two on 2 cores); build first with `cargo leptos build --release
# --precompress --split`, or let scripts/run.sh or scripts/test.sh do it.
# The figures are written to BENCHMARKS.md whether or not they meet the
# targets: they are the record.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
target_dir="${CARGO_TARGET_DIR:-target}"
test -x "$target_dir/release/server" || { echo "No release build at $target_dir/release/server: build it first (see above)." >&2; exit 1; }

lighthouse=end2end/node_modules/.bin/lighthouse
test -x "$lighthouse" || { echo "Lighthouse is missing: run scripts/setup.sh." >&2; exit 1; }

work="$(mktemp -d /tmp/gatehouse-lighthouse.XXXXXX)"
server=""
trap '[ -n "$server" ] && { kill $server 2>/dev/null; wait $server 2>/dev/null; }; rm -rf "$work"' EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export GATEHOUSE_DATA_DIR="$work/data" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$target_dir/site}" RUST_LOG=warn
"$target_dir/release/server" demo > /dev/null
"$target_dir/release/server" serve > "$work/server.log" 2>&1 &
server=$!
up=""
for _ in $(seq 100); do
  if curl -fs "http://127.0.0.1:$port/health" > /dev/null; then up=1; break; fi
  sleep 0.1
done
[ -n "$up" ] || { echo "The server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

url="http://127.0.0.1:$port/portal/northwind/sign-in"
for run in 1 2 3; do
  # One retry: Lighthouse now and then fails to record the trace
  # (NO_NAVSTART) on a busy machine.
  for attempt in 1 2; do
    if CHROME_PATH=/usr/bin/chromium "$lighthouse" "$url" \
      --quiet --only-categories=performance,accessibility \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
      --output=json --output-path="$work/run$run.json" > /dev/null; then
      break
    fi
    [ "$attempt" = 2 ] && { echo "Lighthouse failed twice on run $run." >&2; exit 1; }
  done
done

node - "$work" "$target_dir" <<'JS'
const fs = require('fs');
const [dir, targetDir] = process.argv.slice(2);
const runs = [1, 2, 3].map((i) => JSON.parse(fs.readFileSync(`${dir}/run${i}.json`, 'utf8')));
const pick = (r) => ({
  perf: Math.round(r.categories.performance.score * 100),
  a11y: Math.round(r.categories.accessibility.score * 100),
  lcp: r.audits['largest-contentful-paint'].numericValue / 1000,
  fcp: r.audits['first-contentful-paint'].numericValue / 1000,
  tbt: r.audits['total-blocking-time'].numericValue,
  cls: r.audits['cumulative-layout-shift'].numericValue,
});
const all = runs.map(pick).sort((a, b) => a.perf - b.perf);
const m = all[1]; // the median run by performance score
const ok = (b) => (b ? 'ok' : '**missed**');
const rows = [
  ['Performance score', `${m.perf}`, '≥ 95', ok(m.perf >= 95)],
  ['Largest Contentful Paint', `${m.lcp.toFixed(2)} s`, '≤ 1.5 s', ok(m.lcp <= 1.5)],
  ['Cumulative Layout Shift', m.cls.toFixed(3), '≤ 0.05', ok(m.cls <= 0.05)],
  ['Accessibility score', `${m.a11y}`, '100', ok(m.a11y === 100)],
  ['First Contentful Paint', `${m.fcp.toFixed(2)} s`, '', ''],
  ['Total Blocking Time', `${Math.round(m.tbt)} ms`, '', ''],
];
const version = runs[0].lighthouseVersion;
const table = [
  `Lighthouse ${version}, mobile preset (simulated slow 4G, 4× CPU slowdown), Client Portal sign-in, median of 3 runs (performance scores ${all.map((r) => r.perf).join(', ')}); \`scripts/lighthouse.sh\`, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  '| measure | figure | target | |',
  '|---|--:|--:|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
console.log(table);
fs.writeFileSync(`${targetDir}/lighthouse.md`, table + '\n');
const bench = fs.readFileSync('BENCHMARKS.md', 'utf8');
const start = '<!-- lighthouse:start -->', end = '<!-- lighthouse:end -->';
if (bench.includes(start) && bench.includes(end)) {
  const next = bench.slice(0, bench.indexOf(start) + start.length) + '\n' + table + '\n' + bench.slice(bench.indexOf(end));
  fs.writeFileSync('BENCHMARKS.md', next);
}
if (rows.some((r) => r[3] === '**missed**')) process.exit(1);
JS
