// The administrators' pages in headless Chromium: the usage statistics of
// connected agencies (filter, totals, the chart and its table) and the
// agencies page (the agency and its key; suspend, restore, revoke), at
// desktop and phone width, in Vietnamese and English, with the
// accessibility basics of every page. run.sh adds the agency (fx.agency,
// key fx.agencyKey) and has it verify three people (seed.mjs verify)
// before these tests run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fx, phone, launch, close, newPage, login, audit, focusRing, shoot, noProblems } from './harness.mjs';

before(launch);
after(close);

const agencyName = 'Ngân hàng Thử nghiệm';

// verify asks the API to verify An with the agency's key and returns the
// HTTP status: 200 while the key works, 401 once it does not.
async function verify() {
  const res = await fetch(`${fx.base}/v1/verify`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${fx.agencyKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ purpose: 'kyc', pid: fx.an, full_name: 'Nguyễn Văn An' }),
  });
  await res.arrayBuffer();
  return res.status;
}

// eventually retries check until it returns true, for at most two seconds:
// other processes see a key's change within the service's cache time.
async function eventually(what, check) {
  for (let i = 0; i < 20; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(what);
}

test('the statistics page shows the agency\'s verifications in totals, a chart and a table', async () => {
  const page = await newPage();
  await login(page, fx.admin);
  await page.click('header nav a[href="/officer/stats"]');
  await page.waitForURL(/\/officer\/stats$/);
  assert.equal(await page.textContent('h1'), 'Thống kê sử dụng của cơ quan kết nối');
  assert.equal(await page.getAttribute('header nav a[href="/officer/stats"]', 'aria-current'), 'page');
  await audit(page, 'stats');

  // Filter to the agency's verifications (a GET form: the filter is in the URL).
  await page.selectOption('#agency', fx.agency);
  await page.selectOption('#operation', 'verify');
  await page.click('main form button[type=submit]');
  await page.waitForURL(/agency=.*operation=verify/);
  await audit(page, 'stats filtered');

  const row = page.locator('table.table-stats tbody tr', { hasText: agencyName });
  assert.equal(await row.count(), 1, 'one row: today, the agency, verify');
  const cells = await row.locator('td').allTextContents();
  // Agency, operation, requests, exact matches, mismatches, not found, found, deceased, errors, fields.
  const v = fx.verified;
  assert.equal(cells[1], 'Xác thực');
  assert.deepEqual(cells.slice(2, 6), [v.requests, v.matches, v.mismatches, v.notFound].map(String));
  assert.match(cells[9], /Họ và tên \(1\)/);
  assert.equal(await page.textContent('table.table-stats tfoot td.num'), String(v.requests));

  // The chart is an image whose name and description exist, and the
  // table it pictures is one link away.
  const chart = page.locator('svg[role=img]');
  assert.equal(await chart.count(), 1);
  const label = await page.evaluate(() => {
    const svg = document.querySelector('svg[role=img]');
    const text = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
    return { name: text(svg.getAttribute('aria-labelledby')), desc: text(svg.getAttribute('aria-describedby')) };
  });
  assert.match(label.name, /Biểu đồ cột chồng: số yêu cầu mỗi ngày/);
  assert.match(label.desc, new RegExp(`Tổng cộng ${v.requests} yêu cầu: ${v.matches} khớp hoàn toàn, ${v.mismatches} không khớp, ${v.notFound} không tìm thấy`));
  assert.ok(await page.locator('svg[role=img] .seg-match').count() >= 1);
  assert.ok(await page.locator('svg[role=img] .seg-mismatch').count() >= 1);
  assert.ok(await page.locator('svg[role=img] .seg-not-found').count() >= 1);
  assert.equal(await page.locator('.legend li').count(), 4);

  // Focus is visible on the scrolling table, reached by keyboard.
  const ring = await focusRing(page, 'figcaption a[href="#table-heading"]');
  assert.match(ring.cls, /table-wrap/);
  assert.ok(ring.visible, 'focus on the table region is visible');
  await shoot(page, 'stats-desktop-vi');

  // English, keeping the filter.
  await page.click('header a[hreflang=en]');
  await page.waitForURL(/lang=en/);
  assert.match(page.url(), /operation=verify/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.textContent('h1'), 'Usage by connected agencies');
  assert.match(await page.textContent('main'), /Exact matches[\s\S]*Mismatches[\s\S]*Requests per day[\s\S]*Full name \(1\)/);
  assert.equal(await page.locator('#operation option:checked').textContent(), 'Verify');
  await audit(page, 'stats en');
  await shoot(page, 'stats-desktop-en');

  // A bad period is explained at its field.
  await page.fill('#from', '2026-06-10');
  await page.fill('#to', '2026-06-01');
  await page.click('main form button[type=submit]');
  await page.waitForSelector('#from-error');
  assert.match(await page.title(), /^Error: /);
  assert.equal(await page.getAttribute('#from', 'aria-invalid'), 'true');
  assert.match(await page.textContent('[role=alert]'), /The first day must be on or before the last day/);
  await audit(page, 'stats error en');

  await page.goto('/officer/stats?lang=vi');
  assert.equal(await page.textContent('h1'), 'Thống kê sử dụng của cơ quan kết nối');
  await page.context().close();
});

test('at phone width the statistics and agencies pages scroll only inside their tables and chart', async () => {
  const page = await newPage(phone);
  await login(page, fx.admin);
  await page.goto(`/officer/stats?agency=${encodeURIComponent(fx.agency)}`);
  await audit(page, 'stats phone');
  const frames = await page.evaluate(() => [...document.querySelectorAll('.chart-wrap, .table-wrap')].map((w) => ({
    overflow: getComputedStyle(w).overflowX, scrolls: w.scrollWidth > w.clientWidth, focusable: w.tabIndex === 0,
  })));
  assert.equal(frames.length, 2, 'the chart and the table');
  for (const f of frames) {
    assert.equal(f.overflow, 'auto');
    assert.ok(f.scrolls, 'at 360 px the chart and the table scroll in their frames');
    assert.ok(f.focusable, 'a scrolling frame can be reached by keyboard');
  }
  await shoot(page, 'stats-phone-vi');
  await page.goto('/officer/agencies');
  await audit(page, 'agencies phone');
  await shoot(page, 'agencies-phone-vi');
  await page.goto('/officer/stats?lang=en');
  await audit(page, 'stats phone en');
  await shoot(page, 'stats-phone-en');
  await page.goto('/officer/stats?lang=vi');
  await page.context().close();
});

test('the agencies page lists the agency and its key, and suspends, restores and revokes', async () => {
  const page = await newPage();
  await login(page, fx.admin);
  await page.click('header nav a[href="/officer/agencies"]');
  await page.waitForURL(/\/officer\/agencies$/);
  assert.equal(await page.textContent('h1'), 'Cơ quan, tổ chức kết nối');
  await audit(page, 'agencies');

  const section = page.locator(`section[aria-labelledby="agency-${fx.agency}"]`);
  assert.equal(await section.locator('h2').textContent(), agencyName);
  assert.match(await section.textContent(), /Trạng thái\s*Đã phê duyệt[\s\S]*Loại cơ quan\s*Ngân hàng, trung gian thanh toán/);
  const key = section.locator('table tbody tr');
  assert.equal(await key.count(), 1);
  const prefix = (await key.locator('th').textContent()).replace('…', '');
  assert.ok(prefix.length >= 12 && fx.agencyKey.startsWith(prefix), `key prefix ${prefix}`);
  assert.ok(!(await page.textContent('body')).includes(fx.agencyKey), 'the page never shows the whole key');
  assert.match(await key.textContent(), /Còn hiệu lực[\s\S]*Xác thực[\s\S]*Tra cứu[\s\S]*Xác thực theo lô[\s\S]*Họ và tên[\s\S]*kyc/);
  await shoot(page, 'agencies-desktop-vi');

  // Suspend: the button asks again before it acts.
  await section.locator('details.confirm > summary', { hasText: 'Tạm dừng' }).click();
  await audit(page, 'agencies suspend open');
  await shoot(page, 'agencies-suspend-desktop-vi');
  await section.locator('button', { hasText: 'Xác nhận tạm dừng' }).click();
  await page.waitForURL(/\/officer\/agencies$/);
  assert.match(await page.textContent('[role=status]'), new RegExp(`Đã tạm dừng ${agencyName}`));
  assert.match(await section.textContent(), /Đã tạm dừng/);
  await audit(page, 'agencies suspended');
  await eventually('a suspended agency\'s key is refused', async () => (await verify()) === 401);

  // Restore.
  await section.locator('button', { hasText: 'Khôi phục quyền truy cập' }).click();
  await page.waitForURL(/\/officer\/agencies$/);
  assert.match(await page.textContent('[role=status]'), new RegExp(`Đã cho phép ${agencyName} truy cập`));
  assert.match(await section.textContent(), /Đã phê duyệt/);
  await eventually('a restored agency\'s key works', async () => (await verify()) === 200);
  // The message shows once.
  await page.reload();
  assert.equal(await page.locator('.notice-done').count(), 0);

  // Revoke the key: also asked again.
  await key.locator('details.confirm > summary').click();
  await key.locator('button', { hasText: 'Thu hồi khóa' }).click();
  await page.waitForURL(/\/officer\/agencies$/);
  assert.match(await page.textContent('[role=status]'), new RegExp(`Đã thu hồi khóa ${prefix}`));
  assert.match(await key.textContent(), /Đã thu hồi/);
  assert.equal(await key.locator('details.confirm').count(), 0, 'a revoked key has nothing more to do');
  await eventually('a revoked key is refused', async () => (await verify()) === 401);
  await audit(page, 'agencies revoked');
  await shoot(page, 'agencies-revoked-desktop-vi');

  // English.
  await page.click('header a[hreflang=en]');
  await page.waitForURL(/lang=en/);
  assert.equal(await page.textContent('h1'), 'Connected agencies');
  assert.match(await section.textContent(), /Status\s*Approved[\s\S]*Kind\s*Bank or payment provider/);
  assert.match(await key.textContent(), /Revoked[\s\S]*Verify[\s\S]*Lookup[\s\S]*Batch verify[\s\S]*Full name/);
  await audit(page, 'agencies en');
  await shoot(page, 'agencies-desktop-en');
  await page.click('header a[hreflang=vi]');
  await page.waitForURL(/lang=vi/);
  assert.equal(await page.textContent('h1'), 'Cơ quan, tổ chức kết nối');
  await page.context().close();
});

test('an officer who is not an administrator has neither the links nor the pages', async () => {
  const page = await newPage();
  await login(page, fx.outsider);
  assert.equal(await page.locator('header a[href="/officer/stats"], header a[href="/officer/agencies"]').count(), 0);
  for (const path of ['/officer/stats', '/officer/agencies']) {
    const res = await page.goto(path);
    assert.equal(res.status(), 403, path);
    assert.equal(await page.textContent('h1'), 'Chỉ dành cho quản trị viên');
    assert.doesNotMatch(await page.textContent('body'), new RegExp(agencyName));
    await audit(page, `${path} officer`);
  }
  await shoot(page, 'admin-only-desktop-vi');
  await page.context().close();
});

test('no page logged a console error or a CSP violation', noProblems);
