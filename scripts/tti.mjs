#!/usr/bin/env node
// Resident home page budget: time to interactive in headless Chromium and the gzipped size of
// the JavaScript the first page loads. Prints JSON.
//
//   node scripts/tti.mjs                      starts a throw-away demo server and measures both the
//                                             sign-in page and a signed-in resident's home
//   node scripts/tti.mjs --url http://host:3000   measures the sign-in page of a running server
//   options: --runs N (default 5), --chromium /path/to/chromium
//
// TTI here: from navigation start to the latest of DOMContentLoaded, the first paint of the
// page's main control (the report button, or the phone field when signed out) and the end of
// the last long task (> 50 ms) — the page is rendered, wired and the main thread is free.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const RUNS = Number(opt('runs', '5'));
const CHROMIUM = opt('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
// Headless, and nothing that reaches out to the network (shared with the browser tests).
const CHROMIUM_ARGS = JSON.parse(readFileSync(new URL('./chromium-args.json', import.meta.url), 'utf8'));
const given = opt('url', process.env.LINLI_URL ?? '');
const PHONE = '13800000001';

function ensureBuilt() {
  if (existsSync(join(ROOT, 'dist', 'web', 'index.html'))) return;
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-tti-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/linli.mjs'), 'serve', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LINLI_DATA_DIR: dataDir,
      LINLI_LOG_OTP: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let codes = '';
  child.stdout.on('data', (c) => (codes += c.toString()));
  child.stderr.on('data', (c) => (codes += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await globalThis.fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  return {
    url,
    async code(phone) {
      for (let i = 0; i < 50; i++) {
        const line = codes
          .split('\n')
          .filter((l) => l.includes('"code"') && l.includes(phone))
          .at(-1);
        if (line) return JSON.parse(line).code;
        await sleep(100);
      }
      throw new Error('no one-time code in the server log');
    },
    stop() {
      child.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A resident session token through the one-time-code flow. */
async function residentToken(server) {
  await globalThis.fetch(`${server.url}/api/v1/auth/otp/request`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: PHONE }),
  });
  const code = await server.code(PHONE);
  const r = await globalThis.fetch(`${server.url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: PHONE, code }),
  });
  return (await r.json()).token;
}

// Runs in the page (so it reaches the browser's globals through globalThis).
const OBSERVE = () => {
  const w = globalThis;
  const { document, performance, PerformanceObserver, MutationObserver } = w;
  w.__tti = { longTaskEnd: 0, marker: null };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        w.__tti.longTaskEnd = Math.max(w.__tti.longTaskEnd, e.startTime + e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // longtask entries are not supported: TTI falls back to the other signals
  }
  const seen = () => {
    if (w.__tti.marker === null && document.querySelector('.big-action.primary, #login-phone')) {
      w.__tti.marker = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
};

async function measureOnce(url, token) {
  const profile = mkdtempSync(join(tmpdir(), 'linli-tti-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 390, height: 844 },
    args: CHROMIUM_ARGS,
  });
  try {
    if (token) {
      const u = new URL(url);
      await context.addCookies([
        { name: 'linli_session', value: token, domain: u.hostname, path: '/', httpOnly: true },
      ]);
    }
    await context.addInitScript(OBSERVE);
    const page = context.pages()[0] ?? (await context.newPage());
    const scripts = new Map();
    page.on('response', async (res) => {
      if (res.request().resourceType() !== 'script') return;
      try {
        scripts.set(res.url(), gzipSync(await res.body()).length);
      } catch {
        // body unavailable (redirect)
      }
    });
    await page.goto(`${url}/`, { waitUntil: 'load' });
    await page.waitForSelector(token ? '.big-action.primary' : '#login-phone');
    await page.waitForLoadState('networkidle');
    // Leave room for a late long task to show up.
    await page.waitForTimeout(500);
    const m = await page.evaluate(() => {
      const { performance } = globalThis;
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const t = globalThis.__tti;
      return {
        domContentLoaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        fcp: fcp ? fcp.startTime : null,
        marker: t.marker,
        longTaskEnd: t.longTaskEnd,
      };
    });
    const tti = Math.max(m.domContentLoaded, m.marker ?? 0, m.longTaskEnd);
    return {
      ...m,
      tti,
      scriptsGzip: [...scripts.values()].reduce((a, b) => a + b, 0),
      scripts: scripts.size,
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function series(url, token) {
  const runs = [];
  await measureOnce(url, token); // warm the server (first request compiles templates, fills caches)
  for (let i = 0; i < RUNS; i++) runs.push(await measureOnce(url, token));
  const round = (x) => (x === null ? null : Math.round(x));
  return {
    runs: RUNS,
    ttiMs: { median: round(median(runs.map((r) => r.tti))), max: round(Math.max(...runs.map((r) => r.tti))) },
    fcpMs: round(median(runs.map((r) => r.fcp ?? 0))),
    domContentLoadedMs: round(median(runs.map((r) => r.domContentLoaded))),
    loadMs: round(median(runs.map((r) => r.load))),
    longTaskEndMs: round(median(runs.map((r) => r.longTaskEnd))),
    scriptsLoaded: runs[0].scripts,
    scriptsGzipBytes: runs[0].scriptsGzip,
  };
}

/** Gzipped size of the JS the built index.html pulls in before any route code runs. */
function builtFirstPage() {
  const dir = join(ROOT, 'dist', 'web');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const sizes = files.map((f) => ({ file: f, gzipBytes: gzipSync(readFileSync(join(dir, f))).length }));
  return { files: sizes, totalGzipBytes: sizes.reduce((a, b) => a + b.gzipBytes, 0) };
}

ensureBuilt();
const server = given ? null : await startServer();
const url = given || server.url;
try {
  const out = {
    url,
    budget: { firstPageJsGzipBytes: 300 * 1024, ttiMs: 1500 },
    firstPageJs: builtFirstPage(),
    signedOut: await series(url, null),
  };
  if (server) out.signedInHome = await series(url, await residentToken(server));
  const worst = Math.max(out.signedOut.ttiMs.median, out.signedInHome?.ttiMs.median ?? 0);
  out.withinBudget =
    out.firstPageJs.totalGzipBytes <= out.budget.firstPageJsGzipBytes && worst <= out.budget.ttiMs;
  console.log(JSON.stringify(out, null, 2));
} finally {
  server?.stop();
}
