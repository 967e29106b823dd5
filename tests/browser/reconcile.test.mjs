// The reconciliation review queue in headless Chromium, end to end. The
// test serves a register of its own with the suite's dancu binary
// (fx.dancu): 2,000 synthetic citizens, and two pairs of namesakes born
// on the same day in Phường Ba Đình. A telecom's subscriber list, built
// from the synthetic people plus one record naming each pair, is
// reconciled with dancu reconcile, which leaves the two records for an
// officer. A commune officer of Ba Đình accepts one twin for the first
// record and rejects both for the second in the console, and the next
// dancu reconcile links the first record to that twin (decided=true) and
// no longer offers the second. Then a correction request goes from the
// queue to the requests page and is dismissed. Every page is checked for
// the accessibility basics at desktop and phone width, and photographed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fx, phone, launch, close, newPage, audit, shoot, noProblems } from './harness.mjs';

const dataset = 'thue-bao-2026';
const columns = 'record_key=subscriber_id,pid=id_number,full_name=full_name,date_of_birth=date_of_birth,' +
  'gender=gender,permanent_address=address,phone=phone';
// The namesakes: digit 4 is century and gender (0 a man, 1 a woman born
// in the 1900s), digits 5-6 the year of birth.
const twinA = '001095987651';
const twinB = '001095987652';
const hoaA = '001188987653';
const hoaB = '001188987654';
const namesakes = [
  [twinA, 'Phạm Minh Tuấn', 'male', '1995-06-06'],
  [twinB, 'Phạm Minh Tuấn', 'male', '1995-06-06'],
  [hoaA, 'Lê Thị Hoa', 'female', '1988-02-14'],
  [hoaB, 'Lê Thị Hoa', 'female', '1988-02-14'],
];

let dir; // the test's own data, dataset and outputs
let data; // its data directory
let server; // its dancu serve
let base; // its address
let officer; // a commune officer of Phường Ba Đình
let firstRun; // the ID of the first run

function dancu(...args) {
  return execFileSync(fx.dancu, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// parseCSV reads RFC 4180 CSV (quoted fields may hold commas, quotes and
// line breaks) into rows of strings.
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// records reads a run's records.csv, by record key.
function records(out) {
  const [header, ...rows] = parseCSV(readFileSync(join(dir, out, 'records.csv'), 'utf8'));
  return new Map(rows.map((r) => [r[0], Object.fromEntries(header.map((h, i) => [h, r[i]]))]));
}

function reconcile(out) {
  return dancu('reconcile', '--data', data, '--file', join(dir, 'subscribers.csv'), '--columns', columns,
    '--dataset', dataset, '--out', join(dir, out));
}

// csvLine writes one CSV row.
const csvLine = (cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',');

async function freePort() {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  await once(s, 'close');
  return port;
}

before(async () => {
  await launch();
  dir = mkdtempSync(join(tmpdir(), 'dancu-reconcile-'));
  data = join(dir, 'data');
  const people = join(dir, 'people.csv');
  dancu('generate', '--count', '2000', '--seed', '7', '--out', people);
  dancu('import', '--data', data, people);
  const admin = JSON.parse(dancu('user', 'add', '--role', 'admin', '--name', 'Quản Trị Viên', '--json', '--data', data)).token;
  officer = JSON.parse(dancu('user', 'add', '--role', 'commune_officer', '--area', '00004', '--name', 'Nguyễn Thị Duyệt',
    '--json', '--data', data)).token;

  base = `http://127.0.0.1:${await freePort()}`;
  const log = openSync(join(dir, 'serve.log'), 'w');
  server = spawn(fx.dancu, ['serve', '--data', data, '--addr', base.slice('http://'.length)], { stdio: ['ignore', log, log] });
  closeSync(log);
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    assert.ok(i < 100 && server.exitCode === null, `dancu serve did not start: ${readFileSync(join(dir, 'serve.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  // The namesakes, through the register's API as an officer's system
  // would record them.
  for (const [pid, name, gender, born] of namesakes) {
    const res = await fetch(`${base}/v1/register/events/initial_registration`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        citizen: {
          pid, full_name: name, gender, date_of_birth: born, ethnicity: '01',
          permanent_address: { street: 'Số 5 Phố Hàng Bông', commune_code: '00004', era: '2025' },
        },
        legal_basis: 'Hồ sơ thử nghiệm số 2/2026',
      }),
    });
    assert.equal(res.status, 201, `register ${pid}: ${await res.text()}`);
  }

  // The telecom's list: 1,500 living synthetic people as a clean list
  // gives them (one in five without a number, so that the model learns
  // from names too), then a record naming each pair of namesakes.
  const [header, ...rows] = parseCSV(readFileSync(people, 'utf8'));
  const col = Object.fromEntries(header.map((h, i) => [h, i]));
  const lines = [csvLine(['subscriber_id', 'id_number', 'full_name', 'date_of_birth', 'gender', 'address', 'phone'])];
  for (const r of rows) {
    if (lines.length > 1500) break;
    if (r[col.status] !== 'alive') continue;
    const n = lines.length - 1;
    const [y, m, d] = r[col.date_of_birth].split('-');
    lines.push(csvLine([`tb-${String(n).padStart(5, '0')}`, n % 5 === 0 ? '' : r[col.pid], r[col.full_name],
      d ? `${d}/${m}/${y}` : y, r[col.gender] === 'female' ? 'Nữ' : 'Nam', r[col.permanent_address], r[col.phone]]));
  }
  lines.push(csvLine(['tb-twins', '', 'Phạm Minh Tuấn', '06/06/1995', 'Nam', '', '']));
  lines.push(csvLine(['tb-hoa', '', 'Lê Thị Hoa', '14/02/1988', 'Nữ', '', '']));
  writeFileSync(join(dir, 'subscribers.csv'), lines.join('\n') + '\n');
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill();
    await once(server, 'exit');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await close();
});

async function signIn(options) {
  const page = await newPage(options);
  await page.goto(`${base}/officer/login`);
  await page.fill('#token', officer);
  await page.click('main button[type=submit]');
  await page.waitForURL(/\/officer(\?|$)/);
  return page;
}

// item is the review queue's article of a record.
const item = (page, key) => page.locator('article.review-item', { has: page.locator('h3', { hasText: `Bản ghi ${key} ` }) });

test('a reconciliation leaves the records of namesakes for an officer', () => {
  const out = reconcile('run-1');
  const m = out.match(/\/officer\/reconcile\/([0-9a-v]{26})/);
  assert.ok(m, `the run's page is not named: ${out}`);
  firstRun = m[1];
  const recs = records('run-1');
  assert.equal(recs.size, 1502);
  for (const key of ['tb-twins', 'tb-hoa']) {
    assert.equal(recs.get(key).status, 'ambiguous', `${key}: ${JSON.stringify(recs.get(key))}`);
  }
});

test('an officer decides the queue in the console, and the next run uses the decisions', async () => {
  const page = await signIn();
  await page.click('header nav a[href="/officer/reconcile"]');
  await page.waitForURL(/\/officer\/reconcile$/);
  assert.equal(await page.getAttribute('header nav a[href="/officer/reconcile"]', 'aria-current'), 'page');
  assert.equal(await page.textContent('h1'), 'Đối soát dữ liệu của cơ quan');
  const runRow = page.locator('table.table-runs tbody tr', { hasText: dataset });
  assert.equal(await runRow.count(), 1);
  assert.match(await runRow.textContent(), /2\/2 chờ quyết định/);
  await audit(page, 'runs');
  await shoot(page, 'reconcile-runs-desktop-vi');

  await runRow.locator('a').click();
  await page.waitForURL(new RegExp(`/officer/reconcile/${firstRun}$`));
  assert.equal(await page.textContent('h1'), `Đối soát ${dataset}`);
  assert.equal(await page.locator('.summary-item').count(), 4, 'the scorecard: correct, complete, clean, live');
  assert.match(await page.textContent('main'), /Còn 2 trên 2 bản ghi chờ quyết định/);
  const twins = item(page, 'tb-twins');
  assert.equal(await twins.count(), 1);
  // The agency's record beside both twins, with their register values.
  const heads = await twins.locator('thead th').allTextContents();
  assert.equal(heads.length, 4);
  assert.match(heads[1], /Cơ quan ghi/);
  assert.match(heads[2], /Ứng viên 1\s*Phạm Minh Tuấn/);
  assert.match(heads[3], /Ứng viên 2\s*Phạm Minh Tuấn/);
  const body = await twins.locator('tbody').textContent();
  for (const want of [twinA, twinB, '06/06/1995', 'Nam', 'Phường Ba Đình, Thành phố Hà Nội', 'Xác suất là người này']) {
    assert.ok(body.includes(want), `the comparison lacks ${want}`);
  }
  assert.equal(await twins.locator('button[value=accept]').count(), 2);
  await audit(page, 'run');
  await shoot(page, 'reconcile-run-desktop-vi');

  const small = await signIn(phone);
  await small.goto(`${base}/officer/reconcile/${firstRun}`);
  await audit(small, 'run phone');
  await shoot(small, 'reconcile-run-phone-vi');
  await small.goto(`${base}/officer/reconcile`);
  await audit(small, 'runs phone');
  await shoot(small, 'reconcile-runs-phone-vi');
  await small.context().close();

  // This is the person: the second twin.
  await twins.locator(`form:has(input[name=pid][value="${twinB}"]) button[value=accept]`).click();
  await page.waitForURL(/done=\d+/);
  const notice = await page.textContent('.notice-done');
  assert.match(notice, /Đã ghi nhận quyết định về bản ghi tb-twins: Là công dân Phạm Minh Tuấn \(001095987652\)/);
  assert.match(await item(page, 'tb-twins').locator('.review-status').textContent(), /Đã xác định[\s\S]*Quyết định bởi bạn lúc/);
  assert.equal(await item(page, 'tb-twins').locator('button[value=accept]').count(), 1, 'the other twin can still be chosen instead');

  // None of these, for the other pair.
  await item(page, 'tb-hoa').locator('button[value=reject]').click();
  await page.waitForURL(/done=\d+/);
  assert.match(await page.textContent('.notice-done'), /bản ghi tb-hoa: Không phải ai trong số các ứng viên/);
  assert.match(await page.textContent('main'), /Còn 0 trên 2 bản ghi chờ quyết định/);
  await audit(page, 'decided');
  await shoot(page, 'reconcile-decided-desktop-vi');

  // The next run reads the decisions.
  const out = reconcile('run-2');
  const recs = records('run-2');
  const linked = recs.get('tb-twins');
  assert.ok(['match', 'match_with_corrections'].includes(linked.status), `tb-twins: ${JSON.stringify(linked)}`);
  assert.equal(linked.pid, twinB);
  assert.equal(linked.decided, 'true');
  assert.notEqual(recs.get('tb-hoa').status, 'ambiguous', 'both candidates were rejected');
  assert.doesNotMatch(out, /await an officer's decision/);

  await page.goto(`${base}/officer/reconcile`);
  assert.equal(await page.locator('table.table-runs tbody tr').count(), 2);
  assert.match(await page.locator('table.table-runs tbody tr').first().textContent(), /Không có bản ghi nào cần cán bộ quyết định/);
  await page.context().close();
});

test('a correction request goes from the queue to the requests page', async () => {
  const page = await signIn();
  await page.goto(`${base}/officer/reconcile/${firstRun}`);
  await item(page, 'tb-twins').locator('a', { hasText: 'Yêu cầu sửa sổ' }).click();
  await page.waitForURL(/\/correction$/);
  assert.equal(await page.textContent('h1'), 'Yêu cầu sửa sổ đăng ký');
  // The accepted twin and the first field the record gives that a
  // correction can change, prefilled with the agency's value.
  assert.equal(await page.inputValue('#pid'), twinB);
  assert.equal(await page.inputValue('#field'), 'full_name');
  assert.equal(await page.inputValue('#value'), 'Phạm Minh Tuấn');
  await audit(page, 'correction form');
  await shoot(page, 'reconcile-correction-desktop-vi');

  // A refused form says what to fix, next to the field.
  await page.fill('#value', '');
  await page.click('main form button[type=submit]');
  assert.match(await page.textContent('.error-summary'), /Nhập giá trị đề nghị/);
  assert.equal(await page.getAttribute('#value', 'aria-invalid'), 'true');
  await audit(page, 'correction form refused');

  // Another field: its link fills the form in again with the agency's
  // value, the date written as the register writes it.
  await page.locator('.field-row', { has: page.locator('dt', { hasText: 'Ngày sinh' }) }).locator('a.use-value').click();
  await page.waitForURL(/field=date_of_birth/);
  assert.equal(await page.inputValue('#field'), 'date_of_birth');
  assert.equal(await page.inputValue('#value'), '1995-06-06');
  await page.fill('#note', 'Thuê bao xuất trình giấy khai sinh; đề nghị đối chiếu.');
  await page.click('main form button[type=submit]');
  await page.waitForURL(/\/officer\/corrections\?done=\d+/);
  assert.match(await page.textContent('.notice-done'), /Đã gửi yêu cầu số \d+ \(Ngày sinh của Phạm Minh Tuấn\)/);
  const row = page.locator('article.request');
  assert.equal(await row.count(), 1);
  const text = await row.textContent();
  for (const want of [twinB, 'Ngày sinh', '1995-06-06', `reconcile:${dataset}:tb-twins`, 'đề nghị đối chiếu']) {
    assert.ok(text.includes(want), `the request lacks ${want}`);
  }
  assert.equal(await row.locator('dd a').getAttribute('href'), `/officer/citizens/${twinB}`);
  await audit(page, 'requests');
  await shoot(page, 'reconcile-requests-desktop-vi');

  const small = await signIn(phone);
  await small.goto(`${base}/officer/corrections`);
  await audit(small, 'requests phone');
  await shoot(small, 'reconcile-requests-phone-vi');
  await small.goto(`${base}/officer/reconcile/${firstRun}?lang=en`);
  await audit(small, 'run phone en');
  await shoot(small, 'reconcile-run-phone-en');
  await small.context().close();

  await row.locator('button[value=dismissed]').click();
  await page.waitForURL(/\/officer\/corrections\?done=\d+$/);
  assert.match(await page.textContent('.notice-done'), /đã được bỏ qua/);
  assert.equal(await page.locator('article.request').count(), 0);
  assert.match(await page.textContent('main'), /Không có yêu cầu nào chờ xử lý/);
  await page.context().close();
});

test('no page logged an error', () => {
  noProblems();
});
