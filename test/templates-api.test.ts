// Through the HTTP API of a real hub with the two-person rule on: templates (create, approve by
// two people, fire alone with confirm), the correction, the Exercise wording rule, GET /v1/audit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Role } from '../src/alerts/actor.ts';
import { storeToken } from '../src/auth/tokens.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;

describe('templates, correction, Exercise wording and the audit log over HTTP', () => {
  let hub: TestHub;
  const as: Record<string, Record<string, string>> = {};

  async function mint(name: string, roles: Role[], jurisdiction: string[]) {
    const { secret } = await storeToken(
      hub.store.identity,
      { name, roles, jurisdiction, expiresMs: null, operatorId: null },
      Date.now(),
    );
    as[name] = { authorization: `Bearer ${secret}` };
  }

  async function call(
    who: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: { ...as[who], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Json) : {} };
  }

  before(async () => {
    hub = await startTestHub({ configure: (config) => (config.alerts.twoPersonRule = true) });
    await mint('admin', ['admin'], ['UA']);
    await mint('approver', ['approver'], ['UA-59']);
    await mint('author', ['author'], ['UA-59']);
    await mint('kharkiv-author', ['author'], ['UA-63']);
  });
  after(() => hub.stop());

  test('a template approved by an admin and an approver is fired by an author alone, issued at once', async () => {
    const created = await call('admin', 'POST', '/v1/templates', {
      name: 'Sumy air raid',
      alert: { event: 'air_raid', regions: ['UA-59'], status: 'Actual' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id as string;
    assert.equal(created.json.approved, false);

    const early = await call('author', 'POST', `/v1/templates/${id}/fire`, { confirm: true });
    assert.equal(early.status, 409);
    assert.equal(early.json.error.code, 'TEMPLATE_NOT_APPROVED');

    assert.equal((await call('admin', 'POST', `/v1/templates/${id}/approve`)).status, 200);
    const once = await call('author', 'POST', `/v1/templates/${id}/fire`, { confirm: true });
    assert.equal(once.status, 409, 'one approval is not enough');
    assert.equal(once.json.error.code, 'TEMPLATE_NOT_APPROVED');
    const twice = await call('admin', 'POST', `/v1/templates/${id}/approve`);
    assert.equal(twice.json.error.code, 'TEMPLATE_ALREADY_APPROVED');

    const approved = await call('approver', 'POST', `/v1/templates/${id}/approve`, { revision: 1 });
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    assert.equal(approved.json.approved, true);

    for (const body of [undefined, {}, { confirm: false }, { confirm: 'yes' }]) {
      const refused = await call('author', 'POST', `/v1/templates/${id}/fire`, body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(refused.json.error.code, 'TEMPLATE_CONFIRMATION_REQUIRED');
    }
    const outside = await call('kharkiv-author', 'POST', `/v1/templates/${id}/fire`, { confirm: true });
    assert.equal(outside.status, 403);

    const fired = await call('author', 'POST', `/v1/templates/${id}/fire`, { confirm: true });
    assert.equal(fired.status, 201, JSON.stringify(fired.json));
    assert.equal(fired.json.outcome, 'issued');
    assert.equal(fired.json.alert.state, 'issued');
    const state = await call('author', 'GET', '/v1/state/UA-59');
    assert.equal(state.json.active, true);

    // The same alert issued directly by the author waits for a second person.
    const direct = await call('author', 'POST', '/v1/alerts', { event: 'air_raid', regions: ['UA-59'] });
    assert.equal(direct.status, 202);
  });

  test('template input is checked: schema, content, roles', async () => {
    const bad = await call('admin', 'POST', '/v1/templates', {
      name: 'x',
      alert: { event: 'air_raid', regions: ['UA-59'] },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'TEMPLATE_INPUT_INVALID');
    assert.equal(bad.json.error.details[0].path, 'alert.status');
    const extra = await call('admin', 'POST', '/v1/templates', { name: 'x', alert: {}, owner: 'me' });
    assert.equal(extra.status, 400);
    const byAuthor = await call('author', 'POST', '/v1/templates', {
      name: 'mine',
      alert: { event: 'air_raid', regions: ['UA-59'], status: 'Actual' },
    });
    assert.equal(byAuthor.status, 403);
    const missing = await call('author', 'POST', '/v1/templates/nope/fire', { confirm: true });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'TEMPLATE_NOT_FOUND');
    const anonymous = await fetch(`${hub.url}/v1/templates`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(anonymous.status, 401);
  });

  test('an Exercise alert saying "not a drill" is refused with CAP_EXERCISE_REAL_WORDING; nothing is stored', async () => {
    const before = (await call('admin', 'GET', '/v1/audit?limit=1')).json.items[0].seq as number;
    const refused = await call('author', 'POST', '/v1/alerts', {
      event: 'missile',
      regions: ['UA-59'],
      status: 'Exercise',
      headline: { en: 'Missile threat. This is NOT a drill!', uk: 'Ракетна небезпека' },
    });
    assert.equal(refused.status, 422, JSON.stringify(refused.json));
    assert.equal(refused.json.error.code, 'CAP_INVALID');
    assert.ok(
      refused.json.error.details.some((d: Json) => d.code === 'CAP_EXERCISE_REAL_WORDING'),
      JSON.stringify(refused.json.error.details),
    );
    assert.equal((await call('admin', 'GET', '/v1/audit?limit=1')).json.items[0].seq, before);
    // The same words in an Actual alert are fine (it waits for approval: Extreme).
    const real = await call('author', 'POST', '/v1/alerts', {
      event: 'drone',
      regions: ['UA-59'],
      status: 'Actual',
      headline: { en: 'Drones. This is not a drill!' },
    });
    assert.ok(real.status === 201 || real.status === 202, JSON.stringify(real.json));
  });

  test('the one-action correction over HTTP, and every lifecycle action in the audit log', async () => {
    const issued = await call('author', 'POST', '/v1/alerts', { event: 'air_raid', regions: ['UA-59'] });
    assert.equal(issued.status, 202);
    const id = issued.json.alert.id as string;
    const self = await call('author', 'POST', `/v1/alerts/${id}/approve`);
    assert.equal(self.status, 403);
    assert.equal((await call('approver', 'POST', `/v1/alerts/${id}/approve`)).status, 200);
    const corrected = await call('approver', 'POST', `/v1/alerts/${id}/cancel`);
    assert.equal(corrected.status, 201, JSON.stringify(corrected.json));
    const cap = corrected.json.alert.cap;
    assert.equal(cap.msgType, 'Cancel');
    assert.match(
      cap.info.find((i: Json) => i.language === 'en').headline,
      /^The alert issued at \d{2}:\d{2} for Sumy [^,]+ was sent in error\.$/,
    );
    const state = await call('author', 'GET', '/v1/state/UA-59');
    assert.ok(
      state.json.alerts.every((a: Json) => a.incident !== id),
      JSON.stringify(state.json),
    );
    assert.equal((await call('author', 'GET', `/v1/alerts/${id}`)).json.active, false);

    const log = await call('admin', 'GET', `/v1/audit?target=${encodeURIComponent(id)}`);
    assert.equal(log.status, 200);
    assert.deepEqual(
      log.json.items.map((r: Json) => r.action),
      ['alert.approved', 'alert.drafted'],
    );
    const ended = await call(
      'admin',
      'GET',
      `/v1/audit?target=${encodeURIComponent(corrected.json.alert.id)}`,
    );
    assert.equal(ended.json.items[0].action, 'alert.corrected');
    assert.equal(ended.json.items[0].details.references, id);
    assert.equal(ended.json.items[0].eventSeq, corrected.json.event.seq);
  });

  test('GET /v1/audit: admins only; filters; cursor pages; chained records; malformed queries refused', async () => {
    assert.equal((await call('author', 'GET', '/v1/audit')).status, 403);
    assert.equal((await call('approver', 'GET', '/v1/audit')).status, 403);
    assert.equal((await fetch(`${hub.url}/v1/audit`)).status, 401);

    const all: Json[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; json: Json } = await call(
        'admin',
        'GET',
        `/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(page.status, 200);
      all.push(...page.json.items);
      cursor = page.json.nextCursor;
    } while (cursor);
    assert.deepEqual(
      all.map((r) => r.seq),
      all.map((_, i) => all.length - i),
      'every record, newest first, no gaps',
    );
    for (let i = 0; i < all.length - 1; i++) assert.equal(all[i]?.prevHash, all[i + 1]?.hash);
    assert.equal(all.at(-1)?.action, 'config.loaded');

    const fired = await call('admin', 'GET', '/v1/audit?action=template.approved');
    assert.equal(fired.json.items.length, 2);
    const from = await call('admin', 'GET', `/v1/audit?from=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
    assert.deepEqual(from.json.items, []);

    for (const query of [
      'cursor=abc',
      'from=yesterday',
      'limit=0',
      'limit=501',
      'color=red',
      `actor=${'x'.repeat(300)}`,
    ]) {
      const bad = await call('admin', 'GET', `/v1/audit?${query}`);
      assert.equal(bad.status, 400, query);
      assert.ok(['QUERY_INVALID', 'REQUEST_INVALID'].includes(bad.json.error.code), query);
    }
  });
});
