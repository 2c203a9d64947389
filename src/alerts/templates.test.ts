import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertCan } from '../auth/policy.ts';
import type { Actor, Role } from './actor.ts';
import { TocsinError } from './errors.ts';
import { defaultNeedsApproval } from './policy.ts';
import { createTemplateService, type TemplateService } from './templates.ts';
import { type Harness, harness, testTree } from './testing.ts';

const person = (id: string, roles: Role[], jurisdiction = ['UA']): Actor => ({
  id,
  name: id,
  kind: 'operator',
  roles,
  jurisdiction,
});
const admin = person('admin-1', ['admin']);
const admin2 = person('admin-2', ['admin']);
const approver = person('approver-1', ['approver']);
const approver2 = person('approver-2', ['approver']);
const author = person('author-1', ['author'], ['UA-59']);
const kharkivAuthor = person('author-2', ['author'], ['UA-63']);

const content = (extra: Record<string, unknown> = {}) => ({
  name: 'Sumy air raid',
  alert: { event: 'air_raid', regions: ['UA-59'], status: 'Actual', ...extra },
});

function code(name: string) {
  return (error: unknown) => {
    assert.ok(error instanceof TocsinError, `expected a TocsinError, got ${String(error)}`);
    assert.equal(error.code, name, error.message);
    return true;
  };
}

describe('pre-approved templates', () => {
  let h: Harness;
  let templates: TemplateService;
  const tree = testTree();
  before(async () => {
    h = await harness({ needsApproval: defaultNeedsApproval });
    templates = createTemplateService({
      templates: h.store.audit,
      alerts: h.service,
      authorize: (actor, action, resource) => assertCan(tree, actor, action, resource),
      now: () => h.clock.now(),
    });
  });
  after(() => h.cleanup());

  test('an author fires a template approved by an admin and a second approver alone: issued at once, no pending', async () => {
    const t = await templates.create(admin, content());
    await templates.approve(admin, t.id);
    const approved = await templates.approve(approver, t.id);
    assert.equal(approved.approved, true);
    // The same alert issued directly by the author would wait for a second operator.
    assert.equal(
      (await h.service.issue(author, { format: 'short', body: content().alert })).outcome,
      'pending',
    );

    const fired = await templates.fire(author, t.id, { confirm: true });
    assert.equal(fired.outcome, 'issued');
    assert.equal(fired.alert.state, 'issued');
    assert.equal(fired.alert.author, 'author-1');
    assert.equal(fired.alert.approver, `template:${t.id}`);
    assert.equal(JSON.parse(h.service.stateOf('UA-59').body).active, true);
    const [record] = await h.store.audit.list({ limit: 1 });
    assert.equal(record?.action, 'alert.issued');
    assert.deepEqual(record?.details?.template, {
      id: t.id,
      revision: 1,
      approvers: ['admin-1', 'approver-1'],
    });
    const created = await h.store.audit.list({ limit: 10, targetId: t.id });
    assert.deepEqual(
      created.map((r) => r.action),
      ['template.approved', 'template.approved', 'template.created'],
    );
  });

  test('approved by only one person, it cannot be fired; the same person approving twice does not count', async () => {
    const t = await templates.create(admin, { ...content(), name: 'one approver' });
    await templates.approve(admin, t.id);
    await assert.rejects(templates.approve(admin, t.id), code('TEMPLATE_ALREADY_APPROVED'));
    await assert.rejects(templates.fire(author, t.id, { confirm: true }), code('TEMPLATE_NOT_APPROVED'));
  });

  test('two approvers without an admin are not enough', async () => {
    const t = await templates.create(admin, { ...content(), name: 'no admin' });
    await templates.approve(approver, t.id);
    await templates.approve(approver2, t.id);
    assert.equal((await templates.get(t.id)).approved, false);
    await assert.rejects(templates.fire(author, t.id, { confirm: true }), code('TEMPLATE_NOT_APPROVED'));
    await templates.approve(admin2, t.id);
    assert.equal((await templates.get(t.id)).approved, true);
  });

  test('any edit clears the approvals', async () => {
    const t = await templates.create(admin, { ...content(), name: 'edited' });
    await templates.approve(admin, t.id);
    await templates.approve(approver, t.id);
    const edited = await templates.update(admin, t.id, {
      ...content({ headline: { uk: 'Тривога', en: 'Alert' } }),
      name: 'edited',
    });
    assert.equal(edited.revision, 2);
    assert.deepEqual(edited.approvals, []);
    assert.equal(edited.approved, false);
    await assert.rejects(templates.fire(author, t.id, { confirm: true }), code('TEMPLATE_NOT_APPROVED'));
    // An approval of the old revision is refused when the approver names it.
    await assert.rejects(templates.approve(approver, t.id, 1), code('TEMPLATE_CONFLICT'));
  });

  test('firing needs an explicit confirm: true, and an author within the jurisdiction', async () => {
    const t = await templates.create(admin, { ...content(), name: 'confirm' });
    await templates.approve(admin, t.id);
    await templates.approve(approver, t.id);
    for (const body of [undefined, {}, { confirm: 'true' }, { confirm: 1 }, null])
      await assert.rejects(templates.fire(author, t.id, body), code('TEMPLATE_CONFIRMATION_REQUIRED'));
    await assert.rejects(templates.fire(kharkivAuthor, t.id, { confirm: true }), code('AUTH_FORBIDDEN'));
    await assert.rejects(templates.fire(approver, t.id, { confirm: true }), code('AUTH_FORBIDDEN'));
  });

  test('only admins create and edit; an author who is not admin cannot approve their own', async () => {
    await assert.rejects(templates.create(author, { ...content(), name: 'x' }), code('AUTH_FORBIDDEN'));
    await assert.rejects(templates.create(approver, { ...content(), name: 'x' }), code('AUTH_FORBIDDEN'));
    const t = await templates.create(admin, { ...content(), name: 'self' });
    await assert.rejects(templates.approve(author, t.id), code('AUTH_FORBIDDEN'));
  });

  test('the content is checked as issuing would: an Exercise saying "not a drill" is refused', async () => {
    await assert.rejects(
      templates.create(admin, {
        name: 'drill',
        alert: {
          event: 'air_raid',
          regions: ['UA-59'],
          status: 'Exercise',
          headline: { en: 'This is not a drill' },
        },
      }),
      (error: unknown) => {
        assert.ok(error instanceof TocsinError);
        assert.equal(error.code, 'CAP_INVALID');
        assert.ok(
          error.details.some((d) => d.code === 'CAP_EXERCISE_REAL_WORDING'),
          JSON.stringify(error.details),
        );
        return true;
      },
    );
  });

  test('malformed and hostile input gets coded errors naming the field', async () => {
    const cases: [unknown, string, string][] = [
      [null, 'TEMPLATE_INPUT_INVALID', ''],
      [[], 'TEMPLATE_INPUT_INVALID', ''],
      [{ name: '', alert: content().alert }, 'TEMPLATE_INPUT_INVALID', 'name'],
      [{ name: 'x'.repeat(101), alert: content().alert }, 'TEMPLATE_INPUT_INVALID', 'name'],
      [{ name: 'x', alert: 'air raid' }, 'TEMPLATE_INPUT_INVALID', 'alert'],
      [{ name: 'x', alert: content().alert, owner: 'me' }, 'TEMPLATE_INPUT_INVALID', 'owner'],
      [
        { name: 'x', alert: { event: 'air_raid', regions: ['UA-59'] } },
        'TEMPLATE_INPUT_INVALID',
        'alert.status',
      ],
      [
        { name: 'x', alert: { ...content().alert, expires: '2030-01-01T00:00:00Z' } },
        'TEMPLATE_INPUT_INVALID',
        'alert.expires',
      ],
      [{ name: 'x', alert: { ...content().alert, event: 'alien_invasion' } }, 'ALERT_UNKNOWN_EVENT', ''],
    ];
    for (const [input, expected, path] of cases) {
      await assert.rejects(templates.create(admin, input), (error: unknown) => {
        assert.ok(error instanceof TocsinError, String(error));
        assert.equal(error.code, expected, `${JSON.stringify(input)?.slice(0, 80)}: ${error.message}`);
        if (expected === 'TEMPLATE_INPUT_INVALID') assert.equal(error.details[0]?.path, path);
        return true;
      });
    }
    await assert.rejects(templates.get('nope'), code('TEMPLATE_NOT_FOUND'));
    await assert.rejects(
      templates.fire(author, 'x'.repeat(10_000), { confirm: true }),
      code('TEMPLATE_NOT_FOUND'),
    );
  });

  test('an approver outside the template regions cannot approve it', async () => {
    const t = await templates.create(admin, { ...content(), name: 'jurisdiction' });
    const kharkivApprover = person('approver-3', ['approver'], ['UA-63']);
    await assert.rejects(templates.approve(kharkivApprover, t.id), code('AUTH_FORBIDDEN'));
    assert.deepEqual((await templates.get(t.id)).approvals, []);
  });

  test('two templates cannot share a name', async () => {
    await templates.create(admin, { ...content(), name: 'unique' });
    await assert.rejects(
      templates.create(admin, { ...content(), name: 'unique' }),
      code('TEMPLATE_CONFLICT'),
    );
  });
});
