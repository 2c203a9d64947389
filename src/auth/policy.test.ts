import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Actor, ROLES, type Role, SYSTEM_ACTOR } from '../alerts/actor.ts';
import { isTocsinError } from '../alerts/errors.ts';
import { createRegionTree } from '../geo/region-tree.ts';
import { can, createAuthorize, MATRIX, POLICY_ACTIONS, withinJurisdiction } from './policy.ts';

const region = (code: string, parent: string | null, level: string) => ({
  code,
  parent,
  level,
  names: { en: code },
});
const tree = createRegionTree([
  region('UA', null, 'country'),
  region('UA-59', 'UA', 'oblast'),
  region('UA-5908', 'UA-59', 'raion'),
  region('UA-590801', 'UA-5908', 'hromada'),
  region('UA-63', 'UA', 'oblast'),
]);
const actor = (roles: Role[], jurisdiction: string[]): Actor => ({
  id: 'a',
  name: 'a',
  kind: 'operator',
  roles,
  jurisdiction,
});

test('a jurisdiction covers its regions and every descendant, nothing beside or above', () => {
  assert.equal(withinJurisdiction(tree, ['UA-59'], ['UA-59', 'UA-5908', 'UA-590801']), true);
  assert.equal(withinJurisdiction(tree, ['UA-59'], ['UA-63']), false);
  assert.equal(withinJurisdiction(tree, ['UA-59'], ['UA']), false, 'the parent is outside');
  assert.equal(
    withinJurisdiction(tree, ['UA-59'], ['UA-59', 'UA-63']),
    false,
    'one region outside is enough',
  );
  assert.equal(withinJurisdiction(tree, ['UA-59', 'UA-63'], ['UA-59', 'UA-63']), true);
  assert.equal(withinJurisdiction(tree, ['UA'], ['UA-590801']), true);
  assert.equal(withinJurisdiction(tree, ['UA-5908'], ['UA-59']), false);
  assert.equal(withinJurisdiction(tree, [], ['UA-59']), false);
  assert.equal(withinJurisdiction(tree, ['UA-59'], ['XX-1']), false, 'an unknown region is outside');
});

test('the matrix: each role may do exactly its actions; admin everything', () => {
  for (const action of POLICY_ACTIONS) {
    for (const role of ROLES) {
      const decision = can(tree, actor([role], ['UA']), action, { regions: ['UA-59'] });
      assert.equal(decision.ok, role === 'admin' || MATRIX[action].includes(role), `${role} ${action}`);
    }
  }
  assert.equal(can(tree, actor(['viewer'], ['UA']), 'alert.issue').ok, false);
  assert.equal(can(tree, actor(['viewer', 'author'], ['UA']), 'alert.issue').ok, true, 'roles add up');
});

test('outside the jurisdiction even an admin is refused; the hub itself is not', () => {
  const decision = can(tree, actor(['admin'], ['UA-59']), 'alert.approve', { regions: ['UA-63'] });
  assert.deepEqual(decision.ok ? 'allowed' : decision.reason, 'jurisdiction');
  assert.equal(can(tree, SYSTEM_ACTOR, 'alert.cancel', { regions: ['UA-63'] }).ok, true);
});

test('createAuthorize throws AUTH_FORBIDDEN naming the reason', () => {
  const authorize = createAuthorize(tree);
  assert.doesNotThrow(() =>
    authorize(actor(['approver'], ['UA-59']), 'alert.approve', { regions: ['UA-5908'] }),
  );
  for (const [who, reason] of [
    [actor(['author'], ['UA-59']), 'AUTH_ROLE'],
    [actor(['approver'], ['UA-63']), 'AUTH_JURISDICTION'],
  ] as const) {
    assert.throws(
      () => authorize(who, 'alert.approve', { regions: ['UA-59'] }),
      (error) => isTocsinError(error) && error.code === 'AUTH_FORBIDDEN' && error.details[0]?.code === reason,
    );
  }
});
