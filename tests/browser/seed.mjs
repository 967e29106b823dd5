// Seeds the register of a running dancu through its API, as an officer's
// system would: `node seed.mjs family FIXTURE` registers a family (a
// couple in one household, their marriage, their son's birth);
// `node seed.mjs rename FIXTURE` renames the son; `node seed.mjs verify
// FIXTURE` has the connected agency verify three people (one match, one
// wrong name, one unknown number), so that the statistics page has
// numbers. FIXTURE is a JSON file holding {base, admin, outsider, agency,
// agencyKey} on the way in; what was seeded is added to it. run.sh calls
// the phases in that order, backdating the first between them so that the
// register has a past to show.

import { readFileSync, writeFileSync } from 'node:fs';

const [phase, file] = process.argv.slice(2);
const fx = JSON.parse(readFileSync(file, 'utf8'));

async function event(kind, body) {
  const res = await fetch(`${fx.base}/v1/register/events/${kind}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${fx.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) {
    throw new Error(`${kind}: ${res.status} ${text}`);
  }
  return JSON.parse(text);
}

const home = { street: 'Số 1 Phố Điện Biên Phủ', commune_code: '00004', era: '2025' };
const basis = 'Hồ sơ thử nghiệm số 1/2026';

if (phase === 'family') {
  // Digit 4 of a number is century and gender (0: man born in the 1900s,
  // 1: woman born in the 1900s), digits 5-6 the year of birth.
  fx.an = '001080000001';
  fx.binh = '001182000002';
  await event('initial_registration', {
    citizen: {
      pid: fx.an, full_name: 'Nguyễn Văn An', gender: 'male', date_of_birth: '1980-03-04',
      ethnicity: '01', permanent_address: home, phone: '0912345678',
    },
    legal_basis: basis,
  });
  const an = await (await fetch(`${fx.base}/v1/register/citizens/${fx.an}`, {
    headers: { Authorization: `Bearer ${fx.admin}` },
  })).json();
  await event('initial_registration', {
    citizen: { pid: fx.binh, full_name: 'Trần Thị Bình', gender: 'female', date_of_birth: '1982-07-15', ethnicity: '01' },
    household_id: an.household_id, relation_to_head: 'spouse', legal_basis: basis,
  });
  await event('marriage', { pid: fx.an, spouse_pid: fx.binh, effective_date: '2005-06-01', legal_basis: 'Giấy chứng nhận kết hôn số 45/2005' });
  const birth = await event('birth', {
    full_name: 'Nguyễn Văn Cường', gender: 'male', date_of_birth: '2024-02-10', ethnicity: '01',
    birth_registration_place: home, mother_pid: fx.binh, father_pid: fx.an, legal_basis: 'Giấy khai sinh số 7/2024',
  });
  fx.child = birth.pid;
  fx.childOldName = 'Nguyễn Văn Cường';
} else if (phase === 'rename') {
  fx.childNewName = 'Nguyễn Minh Cường';
  await event('name_change', { pid: fx.child, full_name: fx.childNewName, legal_basis: 'Quyết định thay đổi họ tên số 3/2026' });
} else if (phase === 'verify') {
  // The agency's requests, as its KYC system would send them: each
  // answers 200, with the verdict in the body.
  const unknown = '001080999999';
  const asks = [
    [{ purpose: 'kyc', pid: fx.an, full_name: 'Nguyễn Văn An', date_of_birth: '1980-03-04', gender: 'male' }, 'match'],
    [{ purpose: 'kyc', pid: fx.binh, full_name: 'Trần Thị Bính', date_of_birth: '1982-07-15', gender: 'female' }, 'mismatch'],
    [{ purpose: 'kyc', pid: unknown, full_name: 'Lê Văn Không', date_of_birth: '1980-01-01', gender: 'male' }, 'not_found'],
  ];
  for (const [body, want] of asks) {
    const res = await fetch(`${fx.base}/v1/verify`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fx.agencyKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200 || JSON.parse(text).result !== want) {
      throw new Error(`verify ${body.pid}: ${res.status} ${text}, want result ${want}`);
    }
  }
  fx.verified = { requests: asks.length, matches: 1, mismatches: 1, notFound: 1, field: 'full_name' };
} else {
  throw new Error(`unknown phase ${phase}`);
}
writeFileSync(file, JSON.stringify(fx, null, 2));
