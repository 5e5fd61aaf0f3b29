'use strict';
// Preloaded (node -r) into the CLI by the benchmark where GNU time is missing: reports the
// process's peak RSS to the file named by FLAMEPROF_BENCH_RSS when it exits.
process.on('exit', () => {
  const file = process.env.FLAMEPROF_BENCH_RSS;
  if (file) require('node:fs').writeFileSync(file, JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 }));
});
