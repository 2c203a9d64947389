import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryState, testTree } from '../../../test/helpers/stream.ts';
import { compactEventText, compactHeartbeatText, compactSnapshotText, regionLevels } from './compact.ts';
import type { StreamEvent } from './types.ts';

describe('the compact device format', () => {
  const tree = testTree();

  it('says A for a region covered whole, P when only a region below is alerted, N once it ends', () => {
    const state = new MemoryState(tree);
    state.incidents.set('a', { id: 'a', event: 'air_raid', status: 'Actual', region: 'UA-59-01' });
    state.incidents.set('b', { id: 'b', event: 'missile', status: 'Actual', region: 'UA' });
    assert.deepEqual(Object.fromEntries(regionLevels('UA-59', state, tree, false)), {
      air_raid: 'P',
      missile: 'A',
    });
    assert.deepEqual(Object.fromEntries(regionLevels('UA-59-01', state, tree, false)), {
      air_raid: 'A',
      missile: 'A',
    });
    assert.deepEqual(Object.fromEntries(regionLevels('UA-63', state, tree, false)), { missile: 'A' });

    const ended: StreamEvent = {
      seq: 7,
      type: 'alert.ended',
      regions: ['UA-59-01'],
      status: 'Actual',
      eventType: 'air_raid',
      hidden: false,
      json: '{}',
    };
    state.incidents.delete('a');
    assert.equal(
      compactEventText(ended, ['UA-59', 'UA-63'], state, tree, false),
      '7 UA-59 air_raid:N missile:A',
    );
  });

  it('leaves Exercise alerts out for exercises=exclude and marks them X otherwise', () => {
    const state = new MemoryState(tree);
    state.incidents.set('d', { id: 'd', event: 'chemical', status: 'Exercise', region: 'UA-63' });
    const drill: StreamEvent = {
      seq: 3,
      type: 'alert.issued',
      regions: ['UA-63'],
      status: 'Exercise',
      eventType: 'chemical',
      hidden: false,
      json: '{}',
    };
    assert.equal(compactEventText(drill, ['UA-63'], state, tree, false), '3 UA-63 chemical:a X');
    assert.equal(
      compactSnapshotText('S', 3, ['UA', 'UA-63'], state, tree, false),
      'S 3\n3 UA chemical:p\n3 UA-63 chemical:a',
    );
    state.incidents.set('r', { id: 'r', event: 'chemical', status: 'Actual', region: 'UA' });
    assert.equal(
      compactSnapshotText('S', 4, ['UA-63'], state, tree, false),
      'S 4\n4 UA-63 chemical:A',
      'the real alert wins',
    );
    state.incidents.delete('r');
    assert.equal(
      compactSnapshotText('S', 3, ['UA-63', 'UA-32'], state, tree, true),
      'S 3\n3 UA-63 -\n3 UA-32 -',
    );
    assert.equal(
      compactEventText(drill, ['UA-32'], state, tree, false),
      '',
      'nothing for a region it does not touch',
    );
  });

  it('heartbeat line', () => {
    assert.equal(compactHeartbeatText(42, new Date('2026-11-26T10:42:00Z')), 'H 42 1795689720');
  });
});
