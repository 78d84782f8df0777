// Benchmark 5: the object browser with 100,000 objects, in the real window (the test build under Xvfb,
// driven through WebDriver). The emulator's proxy answers the bucket's listing with generated pages, as S3
// would, so the figure is the app's own: time from opening the folder to the first rows drawn, to all rows
// listed, and how quickly a jump anywhere in the list is drawn (virtualized rendering). Prints one JSON line.
// Run by `make bench` (tests/bench/bench.py) inside a keyring session and Xvfb.

import { Env } from "../gui/harness.mjs";

const COUNT = Number(process.env.BENCH_OBJECTS || 100000);
const REPS = Number(process.env.BENCH_REPS || 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const env = new Env();
await env.start();
const out = { objects: COUNT, runs: [] };
try {
  for (let r = 0; r < REPS; r++) {
    await env.reset();
    await env.seedBuckets({ "bench-100k": [] });
    await fetch(`${env.proxy}/__synthetic`, { method: "POST", body: JSON.stringify({ bucket: "bench-100k", count: COUNT }) });
    const ui = await env.session();
    try {
      await ui.connectSandbox();
      await ui.click("Share links");
      await ui.selectOption("#links-bucket", "bench-100k");
      await ui.b.waitUntil(async () => (await ui.b.$("#object-list").getAttribute("data-loaded")) === "true", { timeout: 300000, interval: 200 });
      const first = Number(await ui.b.$("#object-list").getAttribute("data-first-rows-ms"));
      const all = Number(await ui.b.$("#object-list").getAttribute("data-all-rows-ms"));
      // Jump to 20 places and time until the target row is drawn (two animation frames at most).
      const jumps = await ui.b.executeAsync((count, done) => {
        const list = document.getElementById("object-list");
        const times = [];
        let n = 0;
        const next = () => {
          if (n++ >= 20) return done({ times, rows: list.querySelectorAll(".vrow").length });
          const target = Math.floor(((n * 7919) % 97) / 97 * (count - 20));
          const t0 = performance.now();
          list.scrollTop = target * 32;
          const check = () => {
            if (list.querySelector(`[data-key="photo-${String(target).padStart(6, "0")}.jpg"]`)) {
              times.push(performance.now() - t0);
              setTimeout(next, 10);
            } else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        };
        next();
      }, COUNT);
      out.runs.push({ firstRowsMs: first, allRowsMs: all, jumpMedianMs: median(jumps.times), jumpMaxMs: Math.max(...jumps.times), rowsInPage: jumps.rows });
    } finally {
      await ui.close();
    }
  }
} finally {
  await env.stop();
}
out.firstRowsMs = median(out.runs.map((r) => r.firstRowsMs));
out.allRowsMs = median(out.runs.map((r) => r.allRowsMs));
out.jumpMedianMs = median(out.runs.map((r) => r.jumpMedianMs));
out.jumpMaxMs = Math.max(...out.runs.map((r) => r.jumpMaxMs));
out.rowsInPage = Math.max(...out.runs.map((r) => r.rowsInPage));
console.log(JSON.stringify(out));
