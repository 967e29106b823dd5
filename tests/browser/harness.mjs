// What every browser test file shares: the fixture run.sh wrote, headless
// Chromium, pages at desktop and phone size that collect console errors,
// signing in, the accessibility checks every page must pass, and
// screenshots.

import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

// fx is the fixture: the server's address, the tokens and what was seeded.
export const fx = JSON.parse(readFileSync(process.env.FIXTURE, 'utf8'));

const shots = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

export const desktop = { viewport: { width: 1280, height: 900 } };
export const phone = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let browser;
// problems collects console errors (a CSP violation is one) and failed
// requests of every page; noProblems checks them at the end.
const problems = [];

export async function launch() {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function close() {
  await browser?.close();
}

export async function newPage(options = desktop) {
  const context = await browser.newContext({ ...options, baseURL: fx.base });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  return page;
}

export async function login(page, token) {
  await page.goto('/officer/login');
  await page.fill('#token', token);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/officer(\?|$)/);
}

// audit checks what every page must have: one h1, a language, a skip link
// to main, a label for every visible input, errors tied to their inputs,
// table headers with a scope, scrolling regions that the keyboard
// reaches, and no horizontal scrolling of the page.
export async function audit(page, what) {
  const viewport = page.viewportSize().width;
  const r = await page.evaluate(() => {
    const inputs = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
    return {
      h1: document.querySelectorAll('h1').length,
      lang: document.documentElement.lang,
      skip: document.querySelector('a.skip-link')?.getAttribute('href'),
      main: !!document.querySelector('main#main'),
      unlabelled: inputs.filter((i) => i.labels.length === 0 && !i.getAttribute('aria-label')).map((i) => i.name),
      brokenRefs: [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')].flatMap((e) =>
        `${e.getAttribute('aria-describedby') || ''} ${e.getAttribute('aria-labelledby') || ''}`.split(/\s+/)
          .filter((id) => id && !document.getElementById(id))),
      unscoped: [...document.querySelectorAll('table th')].filter((th) => !th.getAttribute('scope')).length,
      uncaptioned: [...document.querySelectorAll('table')].filter((t) => !t.caption).length,
      regions: [...document.querySelectorAll('.table-wrap, .chart-wrap')]
        .filter((w) => w.tabIndex !== 0 || w.getAttribute('role') !== 'region' || !w.getAttribute('aria-labelledby')).length,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      // Playwright's clicks leave empty style attributes behind; the server
      // sends none at all.
      inlineStyles: [...document.querySelectorAll('[style]:not([style=""]), style, script')].map((e) => e.outerHTML.slice(0, 120)),
    };
  });
  assert.equal(r.h1, 1, `${what}: h1 elements`);
  assert.match(r.lang, /^(vi|en)$/, `${what}: <html lang>`);
  assert.equal(r.skip, '#main', `${what}: skip link`);
  assert.ok(r.main, `${what}: main#main`);
  assert.deepEqual(r.unlabelled, [], `${what}: inputs without a label`);
  assert.deepEqual(r.brokenRefs, [], `${what}: aria-describedby or aria-labelledby pointing nowhere`);
  assert.equal(r.unscoped, 0, `${what}: table headers without scope`);
  assert.equal(r.uncaptioned, 0, `${what}: tables without a caption`);
  assert.equal(r.regions, 0, `${what}: scrolling containers that are not labelled, focusable regions`);
  // A phone browser widens the layout viewport (innerWidth) to fit content
  // that overflows, so both are compared with the width asked for.
  assert.ok(r.scrollWidth <= r.innerWidth && r.innerWidth === viewport,
    `${what}: page scrolls sideways (scrollWidth ${r.scrollWidth}, innerWidth ${r.innerWidth}, viewport ${viewport})`);
  assert.deepEqual(r.inlineStyles, [], `${what}: inline style or script`);
}

// focusRing tabs from the element matching from to the next stop and
// returns the focused element's class and whether its focus is visible
// (an outline or a box shadow).
export async function focusRing(page, from) {
  await page.focus(from);
  await page.keyboard.press('Tab');
  return page.evaluate(() => {
    const a = document.activeElement;
    const s = getComputedStyle(a);
    return {
      cls: a.className,
      visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
    };
  });
}

export async function shoot(page, name) {
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
}

// noProblems checks that no page logged a console error. The 400, 401, 403 and
// 404 answers are expected: Chromium logs every non-2xx document as a
// failed resource load.
export function noProblems() {
  const unexpected = problems.filter((p) => !/status of (400|401|403|404)/.test(p));
  assert.deepEqual(unexpected, []);
}

// isoDaysAgo is the date n days ago in Vietnam (UTC+7), yyyy-mm-dd.
export function isoDaysAgo(n) {
  return new Date(Date.now() + 7 * 3600e3 - n * 86400e3).toISOString().slice(0, 10);
}
