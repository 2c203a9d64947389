// The README flow, as a new user would try it, through the real CLI and HTTP: `tocsin admin
// create`, log in, change the one-time password, create an author and an approver scoped to
// UA-59, issue an Extreme air raid alert as the author (202 pending), approve it as the
// approver, and see it issued, in the region state, and signed.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { test } from 'node:test';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import { startTestHub } from './helpers/hub.ts';
import { call, createAdminWithCli, createOperator, loginSession } from './helpers/operators.ts';

test('admin create → log in → author and approver over UA-59 → Extreme air raid pending → approved, issued, signed', async (t) => {
  const hub = await startTestHub({ configure: (c) => (c.alerts.twoPersonRule = true) });
  t.after(() => hub.stop());
  const base = hub.url;

  const oneTime = await createAdminWithCli(hub.dataDir, 'chief');
  const first = await loginSession(base, 'chief', oneTime);
  // The one-time password opens nothing but its own change.
  const blocked = await call(base, 'GET', '/v1/operators', { credentials: first });
  assert.equal(blocked.status, 403);
  assert.equal(blocked.json.error.code, 'AUTH_PASSWORD_CHANGE_REQUIRED');
  const changed = await call(base, 'POST', '/v1/session/password', {
    body: { currentPassword: oneTime, newPassword: 'correct horse battery staple' },
    credentials: first,
  });
  assert.equal(changed.status, 200, changed.text);
  const admin = await loginSession(base, 'chief', 'correct horse battery staple');

  const author = await createOperator(base, admin, {
    name: 'olena',
    roles: ['author'],
    jurisdiction: ['UA-59'],
  });
  const approver = await createOperator(base, admin, {
    name: 'petro',
    roles: ['approver'],
    jurisdiction: ['UA-59'],
  });

  const issued = await call(base, 'POST', '/v1/alerts', {
    body: {
      event: 'air_raid',
      regions: ['UA-59'],
      status: 'Actual',
      headline: { uk: 'Повітряна тривога', en: 'Air raid alert' },
      instruction: { uk: 'Негайно пройдіть в укриття', en: 'Go to a shelter now' },
    },
    credentials: author.credentials,
  });
  assert.equal(issued.status, 202, issued.text);
  assert.equal(issued.json.alert.state, 'pending');
  assert.equal(issued.json.alert.cap.info[0].severity, 'Extreme');
  const id = encodeURIComponent(issued.json.alert.id);

  assert.equal((await call(base, 'GET', '/v1/state/UA-59')).json.alerts.length, 0);
  // A draft is no one's business but its author's and its approvers': to anyone else, by id or
  // as XML, it does not exist (the same 404 as an unknown id).
  const outsider = await createOperator(base, admin, {
    name: 'taras',
    roles: ['approver'],
    jurisdiction: ['UA-63'],
  });
  for (const path of [`/v1/alerts/${id}`, `/v1/alerts/${id}.xml`]) {
    for (const credentials of [undefined, outsider.credentials]) {
      const hidden = await call(base, 'GET', path, credentials ? { credentials } : {});
      assert.equal(hidden.status, 404, `${path} as ${credentials ? 'taras' : 'anonymous'}`);
      assert.equal(hidden.json.error.code, 'ALERT_NOT_FOUND');
    }
    for (const who of [author, approver]) {
      const shown = await call(base, 'GET', path, { credentials: who.credentials });
      assert.equal(shown.status, 200, `${path}: ${shown.text}`);
    }
  }
  assert.equal(
    (await call(base, 'GET', `/v1/alerts/${id}`, { credentials: approver.credentials })).json.state,
    'pending',
  );
  const self = await call(base, 'POST', `/v1/alerts/${id}/approve`, { credentials: author.credentials });
  assert.equal(self.status, 403);
  assert.equal(self.json.error.code, 'AUTH_FORBIDDEN', 'an author has no approver role');

  const approved = await call(base, 'POST', `/v1/alerts/${id}/approve`, {
    credentials: approver.credentials,
  });
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.json.alert.state, 'issued');

  const one = await call(base, 'GET', `/v1/alerts/${id}`);
  assert.equal(one.json.state, 'issued');
  const state = await call(base, 'GET', '/v1/state/UA-59');
  assert.equal(state.json.alerts.length, 1);
  assert.equal(state.json.alerts[0].event, 'air_raid');

  const jwks = await call(base, 'GET', '/.well-known/tocsin/keys.json');
  const keys = new Map(
    jwks.json.keys.map((k: { kid: string }) => [k.kid, createPublicKey({ key: k as never, format: 'jwk' })]),
  );
  const events = await hub.store.readEvents(0, 100);
  const issuedEvent = events.map((e) => JSON.parse(e.json)).find((e) => e.type === 'alert.issued');
  assert.ok(issuedEvent, 'an alert.issued event was logged');
  assert.equal(issuedEvent.alert.identifier ?? issuedEvent.alert.id, issued.json.alert.id);
  assert.equal(verifyEvent(issuedEvent, keys as never), true);

  // Every step is in the audit log, readable by the admin only.
  const audit = await call(base, 'GET', '/v1/audit?limit=200', { credentials: admin });
  assert.equal(audit.status, 200, audit.text);
  const actions = audit.json.items.map(
    (r: { action: string; actor: { name: string } }) => `${r.actor.name} ${r.action}`,
  );
  for (const expected of [
    'tocsin command line operator.created',
    'chief session.login',
    'chief password.changed',
    'chief operator.created',
    'olena session.login',
    'petro password.changed',
  ]) {
    assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
  }
  const denied = await call(base, 'GET', '/v1/audit', { credentials: approver.credentials });
  assert.equal(denied.status, 403);

  // One person holding both roles cannot be the second pair of eyes, through a token or a session.
  const both = await createOperator(
    base,
    admin,
    { name: 'oksana', roles: ['author', 'approver'], jurisdiction: ['UA-59'] },
    'token',
  );
  const own = await call(base, 'POST', '/v1/alerts', {
    body: { event: 'missile', regions: ['UA-59'] },
    credentials: both.credentials,
  });
  assert.equal(own.status, 202, own.text);
  const viaSession = await loginSession(base, 'oksana', both.password);
  const selfApproval = await call(
    base,
    'POST',
    `/v1/alerts/${encodeURIComponent(own.json.alert.id)}/approve`,
    {
      credentials: viaSession,
    },
  );
  assert.equal(selfApproval.status, 403);
  assert.equal(selfApproval.json.error.code, 'ALERT_SELF_APPROVAL');
});
