// MQTT topic names, the retained state and the discovery configs, as pure functions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PreparedJson } from '../../alerts/types.ts';
import { DEFAULT_EVENT_TYPES } from '../../cap/profiles/event-types.ts';
import type { Region } from '../../geo/types.ts';
import { discoveryMessage, mqttStateOf, mqttTopics } from './mqtt-topics.ts';

const prepared = (body: unknown): PreparedJson => ({
  body: JSON.stringify(body),
  etag: '"x"',
  lastModified: '',
  seq: 1,
});
const entry = (event: string, status: string) => ({
  incident: `i-${event}`,
  alert: `a-${event}`,
  event,
  status,
  since: '2026-03-01T10:00:00+02:00',
  region: 'UA-59',
  coverage: 1,
  whole: true,
});
const sumy: Region = {
  code: 'UA-59',
  parent: 'UA',
  level: 'oblast',
  names: { uk: 'Сумська область', en: 'Sumy Oblast' },
  depth: 1,
};

describe('mqtt topics', () => {
  it('never lets a region code inject wildcards or levels', () => {
    const topics = mqttTopics('tocsin');
    assert.equal(topics.state('UA-59'), 'tocsin/v1/state/UA-59');
    assert.equal(topics.events('a/+/#'), 'tocsin/v1/events/a____');
    assert.equal(topics.status, 'tocsin/v1/status');
  });

  it('state: Actual alerts switch sensors on, drills are listed only', () => {
    const state = JSON.parse(
      mqttStateOf(
        sumy,
        'UA-59',
        prepared({
          region: 'UA-59',
          active: true,
          alerts: [entry('drone', 'Exercise'), entry('air_raid', 'Actual'), entry('air_raid', 'Actual')],
        }),
      ),
    );
    assert.deepEqual(state.events, ['air_raid']);
    assert.equal(state.active, true);
    assert.equal(state.alerts.length, 3);
    const drillOnly = JSON.parse(
      mqttStateOf(
        sumy,
        'UA-59',
        prepared({ region: 'UA-59', active: true, alerts: [entry('drone', 'Exercise')] }),
      ),
    );
    assert.equal(drillOnly.active, false);
    assert.deepEqual(drillOnly.events, []);
  });

  it('discovery: object ids keep to the characters Home Assistant allows', () => {
    const odd: Region = { ...sumy, code: 'UA 59/x' };
    const type = DEFAULT_EVENT_TYPES[0] as (typeof DEFAULT_EVENT_TYPES)[number];
    const message = discoveryMessage('homeassistant', 'tocsin', odd, type);
    assert.equal(message.topic, 'homeassistant/binary_sensor/tocsin_UA_59_x_air_raid/config');
    const config = JSON.parse(message.payload);
    assert.equal(config.state_topic, 'tocsin/v1/state/UA 59_x');
    assert.equal(config.name, 'Sumy Oblast — Air raid alert');
  });
});
