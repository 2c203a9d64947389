import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatCapTime, randomIds } from './clock.ts';

it('writes the zone offset of the instant, across a daylight-saving change in one minute', () => {
  // Europe/Kyiv moves from +02:00 to +03:00 at 2026-03-29T01:00:00Z.
  const change = Date.UTC(2026, 2, 29, 1, 0, 0);
  assert.equal(formatCapTime(change - 30_000, 'Europe/Kyiv'), '2026-03-29T02:59:30+02:00');
  assert.equal(formatCapTime(change - 1_000, 'Europe/Kyiv'), '2026-03-29T02:59:59+02:00');
  assert.equal(formatCapTime(change, 'Europe/Kyiv'), '2026-03-29T04:00:00+03:00');
  assert.equal(formatCapTime(change - 1_000, 'Europe/Kyiv'), '2026-03-29T02:59:59+02:00');
  assert.equal(formatCapTime(change + 59_999, 'Europe/Kyiv'), '2026-03-29T04:00:59+03:00');
});

it('keeps zones apart, and writes UTC as -00:00', () => {
  const t = Date.UTC(2026, 6, 1, 12, 0, 0);
  assert.equal(formatCapTime(t, 'Europe/Kyiv'), '2026-07-01T15:00:00+03:00');
  assert.equal(formatCapTime(t, 'America/St_Johns'), '2026-07-01T09:30:00-02:30');
  assert.equal(formatCapTime(t, 'Asia/Kathmandu'), '2026-07-01T17:45:00+05:45');
  assert.equal(formatCapTime(t), '2026-07-01T12:00:00-00:00');
});

it('alert and event ids sort in the order they were made (UUIDv7), and are unique', () => {
  const alerts = Array.from({ length: 2000 }, () => randomIds.alertId());
  const events = Array.from({ length: 2000 }, () => randomIds.eventId());
  assert.deepEqual([...alerts].sort(), alerts);
  assert.deepEqual([...events].sort(), events);
  assert.equal(new Set(alerts).size, alerts.length);
  for (const id of alerts)
    assert.match(id, /^tocsin-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
