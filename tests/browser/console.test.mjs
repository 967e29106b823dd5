// The officer console in headless Chromium: sign-in, search, the record
// with its household and history, the as-of view, the language switch,
// the out-of-area refusal, phone width, and the accessibility basics of
// every page. run.sh starts dancu and seeds the register; FIXTURE names
// the file with the server's address, the tokens and the seeded numbers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fx, phone, launch, close, newPage, login, audit, shoot, noProblems, isoDaysAgo } from './harness.mjs';

before(launch);
after(close);

test('the landing page says what dancu is and links to the console and the API', async () => {
  const page = await newPage();
  await page.goto('/');
  await audit(page, 'home');
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.ok(await page.locator('main a[href="/officer"]').count());
  assert.ok(await page.locator('main a[href="/openapi.json"]').count());
  await shoot(page, 'home-desktop-vi');
  await page.context().close();
});

test('a bad token shows the error, tied to the field', async () => {
  const page = await newPage();
  await page.goto('/officer');
  assert.match(page.url(), /\/officer\/login$/, 'unauthenticated console redirects to login');
  await audit(page, 'login');
  await page.fill('#token', 'dancu_not_a_real_token');
  await page.click('main button[type=submit]');
  await page.waitForSelector('#token-error');
  assert.match(await page.title(), /^Lỗi: /);
  assert.equal(await page.getAttribute('#token', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#token', 'aria-describedby'), /token-error/);
  assert.match(await page.textContent('[role=alert]'), /Không đăng nhập được/);
  await audit(page, 'login error');
  await shoot(page, 'login-error-desktop-vi');
  await page.context().close();
});

test('the skip link is the first stop of the keyboard and becomes visible', async () => {
  const page = await newPage();
  await page.goto('/officer/login');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    const box = a.getBoundingClientRect();
    return { cls: a.className, top: box.top, height: box.height };
  });
  assert.equal(focused.cls, 'skip-link');
  assert.ok(focused.top >= 0 && focused.height > 0, 'skip link visible on focus');
  await page.context().close();
});

test('an officer signs in, searches by name with and without diacritics, and reads the record', async () => {
  const page = await newPage();
  await login(page, fx.admin);
  await audit(page, 'search');

  for (const name of ['Nguyễn Văn An', 'nguyen van an']) {
    await page.fill('#q', name);
    await page.fill('#birth_year', '1980');
    await page.click('main form button[type=submit]');
    await page.waitForSelector('#results-heading');
    const row = page.locator('table tbody tr', { hasText: fx.an });
    assert.equal(await row.count(), 1, `one result for ${name}`);
    assert.match(await row.textContent(), /Nguyễn Văn An[\s\S]*04\/03\/1980[\s\S]*Nam[\s\S]*Phường Ba Đình, Thành phố Hà Nội[\s\S]*Còn sống/);
    await audit(page, `results for ${name}`);
  }
  await shoot(page, 'search-desktop-vi');

  // A 12-digit number goes straight to the record.
  await page.fill('#q', fx.an);
  await page.fill('#birth_year', '');
  await page.click('main form button[type=submit]');
  await page.waitForURL(`**/officer/citizens/${fx.an}`);
  assert.equal(await page.textContent('h1'), 'Nguyễn Văn An');
  await audit(page, 'record');

  // The household, with the wife and the renamed son.
  const household = page.locator('#household-caption').locator('xpath=ancestor::table');
  assert.match(await household.textContent(), /Trần Thị Bình[\s\S]*Vợ\/chồng/);
  assert.match(await household.textContent(), /Nguyễn Minh Cường[\s\S]*Con/);
  assert.match(await page.textContent('#history ~ ol'), /Đăng ký kết hôn/);
  await shoot(page, 'record-desktop-vi');

  // Follow the household to the son: his history shows the rename.
  await household.locator('a', { hasText: 'Nguyễn Minh Cường' }).click();
  await page.waitForURL(`**/officer/citizens/${fx.child}`);
  const rename = page.locator('article', { hasText: 'Thay đổi họ, tên' });
  assert.equal(await rename.count(), 1);
  const change = rename.locator('tbody tr', { hasText: 'Họ và tên' });
  assert.equal(await change.locator('td.before').textContent(), fx.childOldName);
  assert.equal(await change.locator('td.after').textContent(), fx.childNewName);
  await audit(page, 'child record');
  await shoot(page, 'child-record-desktop-vi');

  // As of a week ago, the register still had the old name.
  await page.fill('#as_of', isoDaysAgo(7));
  await page.click('.asof-form button[type=submit]');
  await page.waitForURL(/as_of=/);
  assert.match(await page.textContent('.notice-asof'), new RegExp(`Họ tên khi đó: ${fx.childOldName}`));
  const nameRow = page.locator('#identity ~ dl .field-row', { hasText: 'Họ và tên' }).first();
  assert.match(await nameRow.locator('dd').textContent(), new RegExp(fx.childOldName));
  await audit(page, 'as of');
  await shoot(page, 'asof-desktop-vi');
  await page.context().close();
});

test('the language switch turns every page to English and back, and is remembered', async () => {
  const page = await newPage();
  await login(page, fx.admin);
  await page.goto(`/officer/citizens/${fx.an}`);
  await page.click('header a[hreflang=en]');
  await page.waitForURL(/lang=en/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.match(await page.textContent('main'), /Date of birth[\s\S]*Permanent residence[\s\S]*History of changes/);
  await audit(page, 'record en');
  await shoot(page, 'record-desktop-en');
  // Remembered without ?lang.
  await page.goto('/officer');
  assert.equal(await page.textContent('h1'), 'Search citizens');
  await page.click('header a[hreflang=vi]');
  await page.waitForURL(/lang=vi/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.textContent('h1'), 'Tra cứu công dân');
  await page.context().close();
});

test('an officer of another commune gets the 403 page and no search results', async () => {
  const page = await newPage();
  await login(page, fx.outsider);
  await page.fill('#q', 'Nguyễn Văn An');
  await page.click('main form button[type=submit]');
  await page.waitForSelector('#results-heading');
  assert.equal(await page.locator('table').count(), 0);
  const res = await page.goto(`/officer/citizens/${fx.an}`);
  assert.equal(res.status(), 403);
  assert.equal(await page.textContent('h1'), 'Ngoài phạm vi được phép');
  assert.doesNotMatch(await page.textContent('body'), /Nguyễn Văn An/);
  await audit(page, '403');
  await shoot(page, 'forbidden-desktop-vi');
  await page.context().close();
});

test('at phone width (360 px) no page scrolls sideways', async () => {
  const page = await newPage(phone);
  await page.goto('/');
  await audit(page, 'home phone');
  await shoot(page, 'home-phone-vi');
  await login(page, fx.admin);
  await page.goto(`/officer?q=${encodeURIComponent('Nguyễn Văn An')}`);
  await audit(page, 'results phone');
  await shoot(page, 'search-phone-vi');
  // Tables scroll inside their own container.
  const wrap = await page.evaluate(() => {
    const w = document.querySelector('.table-wrap');
    return { overflow: getComputedStyle(w).overflowX, focusable: w.tabIndex === 0 };
  });
  assert.equal(wrap.overflow, 'auto');
  assert.ok(wrap.focusable, 'the scrolling table can be reached by keyboard');
  for (const [path, name] of [[`/officer/citizens/${fx.an}`, 'record'], [`/officer/citizens/${fx.child}`, 'child-record'],
    [`/officer/citizens/${fx.child}?as_of=${isoDaysAgo(7)}`, 'asof'], ['/officer/citizens/001080999999', 'notfound']]) {
    await page.goto(path);
    await audit(page, `${name} phone`);
    await shoot(page, `${name}-phone-vi`);
  }
  await page.goto(`/officer/citizens/${fx.child}?lang=en`);
  await audit(page, 'child record phone en');
  await shoot(page, 'child-record-phone-en');
  await page.goto('/officer/login?lang=en');
  await audit(page, 'login phone en');
  await shoot(page, 'login-phone-en');
  await page.context().close();
});

test('signing out ends the session', async () => {
  const page = await newPage();
  await login(page, fx.admin);
  await page.click('header form.logout button');
  await page.waitForURL(/\/officer\/login$/);
  await page.goto(`/officer/citizens/${fx.an}`);
  assert.match(page.url(), /\/officer\/login\?next=/);
  await page.context().close();
});

test('no page logged a console error or a CSP violation', noProblems);
