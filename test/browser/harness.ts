/**
 * Helpers for the browser tests: a real server on a free port with a throw-away database, and
 * Debian's Chromium driven by playwright-core. The web build is made once if it is missing.
 */
import { after, before } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db/database.ts';
import { chromium } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SHOTS = join(ROOT, 'artifacts', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Headless, and nothing that reaches out to the network (shared with scripts/tti.mjs).
const CHROMIUM_ARGS = JSON.parse(
  readFileSync(join(ROOT, 'scripts', 'chromium-args.json'), 'utf8'),
) as string[];

/** Builds the web apps once when dist/web is missing. */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist', 'web', 'index.html'))) return;
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('vite build failed');
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => done(port));
    });
  });
}

export interface DemoServer {
  url: string;
  /** The latest one-time code the server logged for this phone. */
  codeFor(phone: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `linli serve --demo` as a child process on a free port with a fresh data folder. */
export async function startServer(): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-web-'));
  // On PostgreSQL every server gets a schema of its own, as every other test file does.
  const schema = process.env.DATABASE_URL ? `web_${randomBytes(6).toString('hex')}` : undefined;
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'linli.mjs'), 'serve', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LINLI_DATA_DIR: dataDir,
      LINLI_LOG_OTP: '1',
      LINLI_OTP_PER_HOUR: '100',
      LINLI_OTP_PER_DAY: '100',
      ...(schema ? { LINLI_DB_SCHEMA: schema } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const codes = new Map<string, string>();
  let out = '';
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (!line.includes('"code"')) continue;
      try {
        const rec = JSON.parse(line) as { phone?: string; code?: string };
        if (rec.phone && rec.code) codes.set(rec.phone, rec.code);
      } catch {
        // Not a JSON log line.
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // LINLI_TEST_SERVER_LOG=folder keeps each server's output there, to read after a failure.
  const logDir = process.env.LINLI_TEST_SERVER_LOG;
  if (logDir) {
    const log = createWriteStream(join(logDir, `server-${port}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async codeFor(phone: string) {
      for (let i = 0; i < 100; i++) {
        const c = codes.get(phone);
        if (c) {
          codes.delete(phone);
          return c;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no code logged for ${phone}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
      if (schema && process.env.DATABASE_URL) {
        const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await dropSchema(c, schema);
        await c.end();
      }
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface Viewport {
  width: number;
  height: number;
}

/** A fresh Chromium profile (phone-sized unless told otherwise). */
export async function launch(viewport: Viewport = { width: 390, height: 844 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'linli-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport,
    locale: 'zh-CN',
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs a resident in through the phone view. */
export async function residentLogin(page: Page, server: DemoServer, phone: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.locator('#login-phone').fill(phone);
  await page.getByRole('button', { name: /获取验证码|Send code/ }).click();
  const code = await server.codeFor(phone);
  await page.locator('#login-code').fill(code);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page
    .getByRole('button', { name: /我要办事|Report a need/ })
    .first()
    .waitFor();
}

/** Signs a staff member in on a staff page (console, dispatch, dashboard, admin or field). */
export async function staffLogin(
  page: Page,
  server: DemoServer,
  path: string,
  username: string,
): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${server.url}${path}`);
  await signIn(page, username, 'demo1234');
}

/** Signs in on the staff sign-in form shown on the page, with any username and password. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('#staff-username').fill(username);
  await page.locator('#staff-password').fill(password);
  await page.locator('#staff-password').press('Enter');
  await page.locator('[data-signed-in]').waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; summary?: string }[];
}

/** Runs axe-core in the page; answers the serious and critical violations. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  // Half-faded toasts and drawers read as low contrast; check the settled page.
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, {
      timeout: 5000,
    })
    .catch(() => undefined);
  // antd-mobile's toasts fade with JavaScript springs, which getAnimations() does not see: a
  // message is checked once it has gone (they last two seconds).
  await page
    .locator('.adm-toast-mask')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => undefined);
  // antd's messages take a frame or two between being marked as entering or leaving and their
  // fade starting, when no animation runs yet (a message caught so read #f6f6f6 on white): a
  // message is checked once it has come in, or once it has gone.
  await page
    .waitForFunction(
      () =>
        !document.querySelector(
          '.ant-message [class*="-leave"], .ant-message [class*="-enter"], .ant-message [class*="-appear"]',
        ),
      null,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  const source = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    interface RawNode {
      target: string[];
      html: string;
      failureSummary?: string;
    }
    interface Raw {
      id: string;
      impact: string | null;
      help: string;
      nodes: RawNode[];
    }
    const w = window as unknown as {
      axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Raw[] }> };
    };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 3)
        .map((n) => ({ target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a full-page screenshot under artifacts/screenshots (git-ignored). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Switches the app language through localStorage and reloads. */
export async function setLang(page: Page, lang: 'zh' | 'en'): Promise<void> {
  await page.evaluate((l) => localStorage.setItem('linli.lang', l), lang);
  await page.reload();
}

export interface Suite {
  server: DemoServer;
  /** The suite's browser, launched with the viewport given to demoAndBrowser. */
  b: Browser;
  /**
   * Another browser (phone-sized unless told otherwise), for a second person or screen; the suite
   * closes it with its own. `lastShot` names its screenshot as it is left (see demoAndBrowser).
   */
  launch(viewport?: Viewport, lastShot?: string): Promise<Browser>;
}

/**
 * The demo server and a browser for one suite (call it in the suite's body): started before its
 * tests, stopped after them. With `lastShot`, each browser of the suite that has a name for it is
 * photographed as it is left before it closes, to read after a failing run.
 */
export function demoAndBrowser(viewport?: Viewport, options: { lastShot?: string } = {}): Suite {
  const browsers: { b: Browser; lastShot?: string }[] = [];
  const suite = {
    async launch(v?: Viewport, lastShot?: string) {
      const b = await launch(v);
      browsers.push({ b, lastShot });
      return b;
    },
  } as Suite;
  before(async () => {
    ensureBuilt();
    suite.server = await startServer();
    suite.b = await suite.launch(viewport, options.lastShot);
  });
  after(async () => {
    for (const { b, lastShot } of browsers) if (lastShot) await shot(b.page, lastShot).catch(() => undefined);
    for (const { b } of [...browsers].reverse()) await b.close();
    await suite.server?.stop();
  });
  return suite;
}

/** Signs in through the API; answers the response (its body unread). */
export function signInByApi(server: DemoServer, username: string, password = 'demo1234'): Promise<Response> {
  return fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** A staff member's API token (demo password). */
export async function apiToken(server: DemoServer, username: string): Promise<string> {
  const r = await signInByApi(server, username);
  return ((await r.json()) as { token: string }).token;
}

/** What the browser tests read of a work order from the API. */
export interface WorkOrder {
  id: string;
  number: string;
  channel: string;
  category: string;
  urgency: string;
  description: string;
  address: string | null;
  beneficiary: { name: string } | null;
  reporter?: { name?: string | null; phone?: string | null } | null;
}

/** The work orders the holder of `token` lists with `query` (e.g. `limit=20`), newest first. */
export async function listOrders(server: DemoServer, token: string, query: string): Promise<WorkOrder[]> {
  const r = await fetch(`${server.url}/api/v1/work-orders?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await r.json()) as { items: WorkOrder[] }).items;
}

/** The work orders whose description is exactly `text`, found by searching for it. */
export async function ordersSaying(server: DemoServer, token: string, text: string): Promise<WorkOrder[]> {
  const items = await listOrders(server, token, `q=${encodeURIComponent(text)}&limit=50`);
  return items.filter((o) => o.description === text);
}

/** Looks a caller up on the console: their phone and Enter, then waits until `shown` shows. */
export async function lookUpCaller(page: Page, phone: string, shown: Locator): Promise<void> {
  await page.locator('#caller-phone').fill(phone);
  await page.locator('#caller-phone').press('Enter');
  await shown.first().waitFor();
}

/**
 * Text as the page shows it (a toast, a message, a field's error), not its copy in the live
 * regions that say messages again for screen readers (`data-announcer`): a plain `getByText`
 * finds both once the copy is written, a moment after the message appears.
 */
export function shown(page: Page, text: string | RegExp): Locator {
  return page.getByText(text).and(page.locator(':not([data-announcer])'));
}

/**
 * Reads a value again until it passes `ok` or `timeoutMs` has gone by, and returns the last one
 * read: for what the page settles into after a key press (React renders, focus moves after an
 * opening animation), so that the caller's assertion states what is expected and fails only when
 * the page never gets there.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The id (or, with `what`, another property) of the focused element, once it settles on `want`. */
export async function focusedSettles(
  page: Page,
  want: string,
  what: 'id' | 'text' | 'label' | 'class' = 'id',
): Promise<string | undefined> {
  return eventually(
    () =>
      page.evaluate((w) => {
        const el = document.activeElement;
        if (!el) return undefined;
        if (w === 'text') return el.textContent?.replace(/\s/g, '');
        if (w === 'label') return el.getAttribute('aria-label') ?? undefined;
        if (w === 'class') return el.className;
        return el.id;
      }, what),
    (v) => v === want,
  );
}
