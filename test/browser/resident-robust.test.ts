/**
 * The resident app when things go wrong or differ from the usual path: the category list does not
 * load, the app starts without a network, a photo is too large, elderly mode, signing out with a
 * draft and a queued report; and the contrast of placeholder text on staff and resident screens.
 */
import { beforeEach, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  residentLogin,
  shown,
  staffLogin,
} from './harness.ts';

const PHONE = '13800000001';
/** A category code as the API writes it (`basic_living`, `basic_living.water_electric`). */
const CODE = /^[a-z]+(_[a-z]+)+(\.[a-z_]+)?$|^[a-z]+\.[a-z_]+$/;
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A valid PNG of random pixels (it does not compress): about 16 KB as base64. */
function noisyPng(side = 64): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const head = Buffer.alloc(13);
  head.writeUInt32BE(side, 0);
  head.writeUInt32BE(side, 4);
  head.set([8, 2, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < side; y++) {
    const row = Buffer.alloc(1 + side * 3);
    for (let i = 1; i < row.length; i++) row[i] = Math.floor(Math.random() * 256);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', head),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Fills the page's localStorage until a few KB are left (fewer than a photo needs). */
async function fillStorage(p: Page): Promise<void> {
  await p.evaluate(() => {
    let n = 0;
    for (const size of [256 * 1024, 16 * 1024, 1024]) {
      const junk = 'x'.repeat(size);
      for (;;) {
        try {
          localStorage.setItem(`test.junk.${n++}`, junk);
        } catch {
          break;
        }
      }
    }
    // Room for a report's text (and a draft), not for its photo.
    for (let i = 0; i < 4; i++) localStorage.removeItem(`test.junk.${--n - 1}`);
  });
}

async function emptyStorageJunk(p: Page): Promise<void> {
  await p.evaluate(() => {
    for (const k of Object.keys(localStorage)) if (k.startsWith('test.junk.')) localStorage.removeItem(k);
  });
}

/** How many of the signed-in resident's orders have exactly this description. */
function ordersSaying(p: Page, text: string): Promise<{ photos: number }[]> {
  return p.evaluate(async (q) => {
    const r = (await (await fetch(`/api/v1/work-orders?q=${encodeURIComponent(q)}`)).json()) as {
      items: { id: string; description: string }[];
    };
    const mine = r.items.filter((o) => o.description === q);
    return Promise.all(
      mine.map(async (o) => {
        const full = (await (await fetch(`/api/v1/work-orders/${o.id}`)).json()) as { photos?: unknown[] };
        return { photos: full.photos?.length ?? 0 };
      }),
    );
  }, text);
}

interface Contrast {
  what: string;
  ratio: number;
}

/**
 * The contrast of every visible placeholder text on the page (inputs, text areas, antd's select
 * placeholders) against the background it is drawn on.
 */
async function placeholderContrasts(page: Page): Promise<Contrast[]> {
  // The test runner's compiler names inner functions with a helper the page does not have.
  await page.evaluate('window.__name = window.__name || ((f) => f)');
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (c: string): Rgba => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m?.[1]) return [0, 0, 0, 0];
      const p = m[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
    };
    const over = (top: Rgba, under: Rgba): Rgba => {
      const a = top[3];
      return [
        top[0] * a + under[0] * (1 - a),
        top[1] * a + under[1] * (1 - a),
        top[2] * a + under[2] * (1 - a),
        1,
      ];
    };
    const background = (el: Element | null): Rgba => {
      const layers: Rgba[] = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      return layers.reduceRight<Rgba>((acc, c) => over(c, acc), [255, 255, 255, 1]);
    };
    const lum = ([r, g, b]: Rgba) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m) as [number, number];
      return (x + 0.05) / (y + 0.05);
    };
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const out: { what: string; ratio: number }[] = [];
    const fields = document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
      'input[placeholder]:not([disabled]), textarea[placeholder]:not([disabled])',
    );
    for (const el of fields) {
      if (!el.placeholder || el.value || !visible(el)) continue;
      const bg = background(el);
      const fg = over(parse(getComputedStyle(el, '::placeholder').color), bg);
      out.push({ what: `${el.id || el.name || el.tagName} "${el.placeholder}"`, ratio: ratio(fg, bg) });
    }
    for (const el of document.querySelectorAll('.ant-select-selection-placeholder')) {
      if (!visible(el) || !el.textContent) continue;
      const bg = background(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      out.push({ what: `select "${el.textContent}"`, ratio: ratio(fg, bg) });
    }
    return out;
  });
}

function assertReadable(found: Contrast[], where: string): void {
  assert.ok(found.length > 0, `${where} has placeholder text to check`);
  const faint = found.filter((c) => c.ratio < 4.5).map((c) => `${c.what}: ${c.ratio.toFixed(2)}:1`);
  assert.deepEqual(faint, [], `${where}: placeholder text below 4.5:1`);
}

/** The texts of the category names in the resident's order list on the home page. */
async function listedCategories(p: Page): Promise<string[]> {
  const rows = p.locator('.row-link > span:first-child');
  await rows.first().waitFor();
  return rows.allTextContents();
}

describe(
  'web: resident app off the usual path',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser(undefined, { lastShot: 'resident-robust' });
    // Each test starts with the network as it is: a failed test's route (a network cut) does not
    // fail the tests after it.
    beforeEach(async () => {
      await s.b.page.unrouteAll({ behavior: 'ignoreErrors' });
    });
    let signedInAt = 0;

    it('names categories in words when the category list cannot be loaded', async () => {
      const p = s.b.page;
      await residentLogin(p, s.server, PHONE);
      signedInAt = Date.now();
      const names = await eventually(
        () => listedCategories(p),
        (n) => n.every((x) => !CODE.test(x)),
      );
      assert.ok(names.length > 0, 'the resident has orders');
      assert.deepEqual(
        names.filter((n) => CODE.test(n)),
        [],
      );

      // Nothing kept on the phone and the list refused: the built-in names are used.
      await p.evaluate(() => localStorage.removeItem('linli.categories'));
      await p.route('**/api/v1/categories', (r) => r.fulfill({ status: 503, body: '{}' }));
      await p.reload();
      const shown = await listedCategories(p);
      assert.deepEqual(
        shown.filter((n) => CODE.test(n)),
        [],
        'no raw category codes',
      );
      assert.ok(shown.some((n) => /[\u4e00-\u9fff]/.test(n)));
      await p.unroute('**/api/v1/categories');
    });

    it('prefills the home address as a real value, and keeps photo and address in elderly mode', async () => {
      const p = s.b.page;
      await p.goto(`${s.server.url}/report`);
      const home = await p.evaluate(async () => {
        const me = (await (await fetch('/api/v1/me')).json()) as { id: string };
        const r = (await (await fetch(`/api/v1/residents/${me.id}`)).json()) as {
          household: { address: string } | null;
        };
        return r.household?.address ?? null;
      });
      assert.ok(home, 'the demo resident has a home address');
      const address = p.locator('#report-address');
      assert.equal(
        await eventually(
          () => address.inputValue(),
          (v) => v !== '',
        ),
        home,
        'what the field shows is its value',
      );
      assert.notEqual(await address.getAttribute('placeholder'), home, 'not a look-alike placeholder');

      // Sent as shown, also with a point picked on the map (the server then would not add it).
      const text = `门口路灯不亮 ${Date.now()}`;
      await p.locator('#report-description').fill(text);
      await p.getByRole('button', { name: /在地图上选位置/ }).click();
      await p.locator('svg.gridmap').click();
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p.waitForURL(/\/orders\//);
      const sent = await p.evaluate(async (q) => {
        const r = (await (await fetch(`/api/v1/work-orders?q=${encodeURIComponent(q)}`)).json()) as {
          items: { description: string; address: string | null; location: unknown }[];
        };
        return r.items.find((o) => o.description === q) ?? null;
      }, text);
      assert.ok(sent?.location, 'a point was picked');
      assert.equal(sent.address, home);

      await p.goto(`${s.server.url}/report?elderly=1`);
      await p.locator('#report-description').waitFor();
      assert.ok(await p.evaluate(() => document.documentElement.classList.contains('elderly')));
      assert.ok(await p.locator('#report-address').isVisible(), 'address is there in elderly mode');
      assert.ok(
        await p.locator('.adm-image-uploader-upload-button').first().isVisible(),
        'photos are there in elderly mode',
      );
      await p.goto(`${s.server.url}/report?elderly=0`);
      await p.locator('#report-description').waitFor();
    });

    it('says which photo is too large and keeps the others and the report', async () => {
      const p = s.b.page;
      await p.goto(`${s.server.url}/report`);
      const text = `楼道扶手松了 ${Date.now()}`;
      await p.locator('#report-description').fill(text);
      const file = p.locator('input[type=file]').first();
      await file.setInputFiles({ name: 'ok.png', mimeType: 'image/png', buffer: PNG });
      await p.locator('.adm-image-uploader-cell-image').first().waitFor();
      await file.setInputFiles({
        name: 'huge-photo.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 1),
      });
      const alert = p.getByRole('alert').filter({ hasText: 'huge-photo.jpg' });
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /5 ?MB/);
      await eventually(
        () => p.locator('.adm-image-uploader-cell-image').count(),
        (n) => n === 1,
      );
      assert.equal(await p.locator('.adm-image-uploader-cell-image').count(), 1, 'the small photo is kept');
      assert.equal(await p.locator('.adm-image-uploader-cell-fail').count(), 0, 'no silent failed cell');
      assert.equal(await p.locator('#report-description').inputValue(), text);

      // Several chosen at once: the one too large is named, the one that fits is added.
      await file.setInputFiles([
        { name: 'second.png', mimeType: 'image/png', buffer: PNG },
        { name: 'also-huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(6 * 1024 * 1024, 1) },
      ]);
      await p.getByRole('alert').filter({ hasText: 'also-huge.jpg' }).waitFor();
      assert.equal(
        await eventually(
          () => p.locator('.adm-image-uploader-cell-image').count(),
          (n) => n === 2,
        ),
        2,
      );
      assert.equal(await p.getByRole('alert').filter({ hasText: 'also-huge.jpg' }).count(), 1, 'still said');
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p.waitForURL(/\/orders\//);
      assert.deepEqual(await ordersSaying(p, text), [{ photos: 2 }], 'sent with the photos that fit');
    });

    it('keeps and sends a photo when the phone storage is full, and says so when it cannot keep it', async () => {
      const p = s.b.page;
      const photo = { name: 'noisy.png', mimeType: 'image/png', buffer: noisyPng() };
      await p.goto(`${s.server.url}/report`);
      await p.locator('#report-description').waitFor();
      await fillStorage(p);
      try {
        // Offline: the text is kept, the photo does not fit, and the resident is told.
        await p.route('**/api/v1/work-orders', (r) =>
          r.request().method() === 'POST' ? r.abort('internetdisconnected') : r.continue(),
        );
        const offline = `存储满时断网报的：楼顶漏水 ${Date.now()}`;
        await p.locator('#report-description').fill(offline);
        await p.locator('input[type=file]').first().setInputFiles(photo);
        await p.locator('.adm-image-uploader-cell-image').first().waitFor();
        await p.getByRole('button', { name: /^提\s*交$/ }).click();
        await shown(p, /1 张照片没能一起保存/).waitFor();
        await p.unroute('**/api/v1/work-orders');
        await p.getByRole('button', { name: /立即重试/ }).click();
        await shown(p, /待发送的工单/).waitFor({ state: 'detached' });

        // Online: the photo is sent with the report although the queue could not hold it.
        await p
          .getByRole('button', { name: /我要办事/ })
          .first()
          .click();
        const online = `存储满时报的：井盖松动 ${Date.now()}`;
        await p.locator('#report-description').fill(online);
        await p.locator('input[type=file]').first().setInputFiles(photo);
        await p.locator('.adm-image-uploader-cell-image').first().waitFor();
        await p.getByRole('button', { name: /^提\s*交$/ }).click();
        await p.waitForURL(/\/orders\//);
        assert.deepEqual(await ordersSaying(p, online), [{ photos: 1 }]);
        assert.deepEqual(await ordersSaying(p, offline), [{ photos: 0 }]);
      } finally {
        await emptyStorageJunk(p);
      }
    });

    it('tells the resident when the server refuses a report sent later from the queue', async () => {
      const p = s.b.page;
      const text = `排队后被退回的：照片坏了 ${Date.now()}`;
      // A report kept on the phone whose photo turned out unreadable: the server refuses it.
      await p.evaluate((description) => {
        const owner = localStorage.getItem('linli.resident');
        const queue = JSON.parse(localStorage.getItem('linli.outbox') ?? '[]') as unknown[];
        queue.push({
          key: crypto.randomUUID(),
          owner,
          savedAt: new Date().toISOString(),
          body: {
            channel: 'web',
            description,
            photos: [{ contentType: 'image/png', dataBase64: 'AAAAAAAA' }],
          },
        });
        localStorage.setItem('linli.outbox', JSON.stringify(queue));
      }, text);
      await p.goto(`${s.server.url}/`);
      const refused = p.getByRole('alert').filter({ hasText: '没有被受理' });
      await refused.waitFor();
      assert.ok(await refused.getByText(text).isVisible(), 'the refused report is named');
      assert.match((await refused.textContent()) ?? '', /原因：\S+/);
      await refused.getByRole('button', { name: '修改后重新提交' }).click();
      await p.waitForURL(/\/report$/);
      assert.equal(await p.locator('#report-description').inputValue(), text, 'back in the form');
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p.waitForURL(/\/orders\//);
      assert.deepEqual(await ordersSaying(p, text), [{ photos: 0 }]);
    });

    it('lets the resident write a report when the app starts without a network, and sends it later', async () => {
      const p = s.b.page;
      await p.route('**/api/**', (r) => r.abort('internetdisconnected'));
      await p.goto(`${s.server.url}/`);
      await p.getByRole('alert').filter({ hasText: '网络连接中断' }).waitFor();
      await p
        .getByRole('button', { name: /我要办事/ })
        .first()
        .click();
      await p.locator('#report-description').waitFor();
      // Categories are named from what the phone kept (or the built-in names), never as codes.
      const chips = await p.locator('.choice-chips label').allTextContents();
      assert.ok(
        chips.some((c) => c.includes('基本生活')),
        `categories offered: ${chips.join(', ')}`,
      );
      const text = `断网时写的：楼下垃圾没人收 ${Date.now()}`;
      await p.locator('#report-description').fill(text);
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      try {
        // Queued, the form gives way to the home page, which lists it (the banner offline names
        // 待发送的工单 too, so the form's leaving is what says it was queued).
        await p.locator('#report-description').waitFor({ state: 'detached' });
        await p.getByText(text).and(p.locator(':not(textarea)')).waitFor();
      } finally {
        // The network returns (also for the tests after this one, should it fail).
        await p.unroute('**/api/**');
      }

      // The app comes back and the report is sent.
      await p.getByRole('button', { name: /重\s*试/ }).click();
      await p.getByRole('alert').filter({ hasText: '网络连接中断' }).waitFor({ state: 'detached' });
      const found = await eventually(
        () => ordersSaying(p, text).then((o) => o.length),
        (n) => n === 1,
        15_000,
      );
      assert.equal(found, 1, 'the report written offline reached the server once');
    });

    it('asks before signing out, and keeps the draft and the queued report for the same resident', async () => {
      const p = s.b.page;
      // A report that cannot be sent now, then a draft.
      await p.goto(`${s.server.url}/report`);
      await p.route('**/api/v1/work-orders', (r) =>
        r.request().method() === 'POST' ? r.abort('internetdisconnected') : r.continue(),
      );
      const queued = `退出前排队的：电梯按钮失灵 ${Date.now()}`;
      await p.locator('#report-description').fill(queued);
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await shown(p, /有 1 条待发送的工单/).waitFor();
      await p
        .getByRole('button', { name: /我要办事/ })
        .first()
        .click();
      const draft = `还没写完的草稿 ${Date.now()}`;
      await p.locator('#report-description').fill(draft);

      await p.getByRole('button', { name: '退出登录' }).click();
      const dialog = p.getByRole('dialog');
      await dialog.waitFor();
      const said = (await dialog.textContent()) ?? '';
      assert.match(said, /草稿/, 'the draft is mentioned');
      assert.match(said, /1 条待发送/, 'the queued report is mentioned');
      await dialog.getByRole('button', { name: '取消' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await p.locator('#report-description').inputValue(), draft, 'cancel changes nothing');

      await p.getByRole('button', { name: '退出登录' }).click();
      await p.getByRole('dialog').getByRole('button', { name: '退出登录' }).click();
      await p.locator('#login-phone').waitFor();
      await p.unroute('**/api/v1/work-orders');

      // The same resident signs in again (one code per phone per 30 s).
      await new Promise((r) => setTimeout(r, Math.max(0, signedInAt + 31_000 - Date.now())));
      await residentLogin(p, s.server, PHONE);
      const sent = await eventually(
        () => ordersSaying(p, queued).then((o) => o.length),
        (n) => n === 1,
        15_000,
      );
      assert.equal(sent, 1, 'the queued report was sent after signing in again');
      await p
        .getByRole('button', { name: /我要办事/ })
        .first()
        .click();
      assert.equal(await p.locator('#report-description').inputValue(), draft, 'the draft is back');
    });

    it('keeps placeholder text readable (4.5:1) on the resident report form', async () => {
      const p = s.b.page;
      await p.locator('#report-address').fill('');
      assertReadable(await placeholderContrasts(p), 'resident report form');
    });

    it('names the role of a staff account in words on the resident app', async () => {
      const b = await s.launch({ width: 1280, height: 900 });
      const p = b.page;
      await staffLogin(p, s.server, '/console', 'admin');
      await p.goto(`${s.server.url}/`);
      // The page's banner, not the live region that says messages again for screen readers.
      const banner = p.locator('[role="alert"]:not([data-announcer])');
      await banner.waitFor();
      const text = (await banner.textContent()) ?? '';
      assert.match(text, /管理员/);
      assert.doesNotMatch(text, /\badmin\b/);
    });

    it('keeps placeholder text readable (4.5:1) on staff screens', async () => {
      const b = await s.launch({ width: 1280, height: 900 });
      const p = b.page;
      await p.goto(`${s.server.url}/console`);
      await p.locator('#staff-username').waitFor();
      assertReadable(await placeholderContrasts(p), 'staff sign-in');
      await staffLogin(p, s.server, '/console', 'admin');
      await p.locator('#caller-phone').waitFor();
      assertReadable(await placeholderContrasts(p), 'console');
      for (const [page, tab] of [
        ['/dispatch', null],
        ['/admin', '用户与角色'],
      ] as const) {
        await p.goto(`${s.server.url}${page}`);
        await p.locator('[data-signed-in]').waitFor();
        if (tab) await p.getByRole('tab', { name: tab }).click();
        await eventually(
          () => placeholderContrasts(p).then((c) => c.length),
          (n) => n > 0,
        );
        assertReadable(await placeholderContrasts(p), page);
      }
    });
  },
);
