// The hub without sockets: a recording sink (a small real StreamSink) and the in-memory world.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLog, MemoryState, testTree } from '../../../test/helpers/stream.ts';
import { createMemoryBus } from '../../bus/memory.ts';
import type { CloseCause, EndReason, StreamSink } from './connection.ts';
import { createStreamHub } from './hub.ts';
import type { CommittedEvent, StreamOptions } from './types.ts';

class RecordingSink implements StreamSink {
  readonly transport = 'ws' as const;
  readonly ip = '127.0.0.1';
  closed = false;
  writes: Buffer[][] = [];
  ended: EndReason | undefined;
  private listeners: ((cause: CloseCause) => void)[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  write(frame: Buffer) {
    return this.writeMany([frame]);
  }
  writeMany(frames: readonly Buffer[]) {
    if (this.closed) return false;
    this.writes.push([...frames]);
    const count = this.messages().length;
    for (const waiter of this.waiters.filter((w) => count >= w.count)) waiter.resolve();
    this.waiters = this.waiters.filter((w) => count < w.count);
    return true;
  }
  queuedBytes() {
    return 0;
  }
  async drained() {}
  end(reason: EndReason) {
    this.ended = reason;
    this.closed = true;
    for (const listener of this.listeners) listener(reason);
  }
  onClose(listener: (cause: CloseCause) => void) {
    this.listeners.push(listener);
  }
  /** Text of every message written (unmasked text frames with a 2- or 4-byte header; a write may hold several). */
  messages(): string[] {
    return this.writes.flat().flatMap(frameTexts);
  }
  seqs(): number[] {
    return this.messages()
      .map((m) => JSON.parse(m) as { type: string; seq: number })
      .filter((m) => m.type.startsWith('alert.'))
      .map((m) => m.seq);
  }
  until(count: number): Promise<void> {
    if (this.messages().length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

function frameTexts(bytes: Buffer): string[] {
  const texts: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const short = (bytes[at + 1] as number) & 0x7f;
    const header = short === 126 ? 4 : 2;
    const length = short === 126 ? bytes.readUInt16BE(at + 2) : short;
    texts.push(bytes.subarray(at + header, at + header + length).toString('utf8'));
    at += header + length;
  }
  return texts;
}

function committed(seq: number, regions: string[] = ['UA-59'], type = 'alert.issued'): CommittedEvent {
  return { seq, json: JSON.stringify({ seq, id: `e${seq}`, type, regions, alert: { status: 'Actual' } }) };
}

function world(options: Partial<StreamOptions> = {}) {
  const tree = testTree();
  const log = new MemoryLog();
  const state = new MemoryState(tree);
  const bus = createMemoryBus();
  const hub = createStreamHub({
    tree,
    log,
    state,
    bus,
    sign: (u) => JSON.stringify({ ...u, kid: 'k', sig: 's' }),
    options,
  });
  const commit = (seq: number, regions?: string[], type?: string) => {
    const event = committed(seq, regions, type);
    log.events.push(event);
    state.current = seq;
    return event;
  };
  const send = (event: CommittedEvent) =>
    bus.publish({ seq: event.seq, id: `e${event.seq}`, type: 'alert.issued', regions: [], json: event.json });
  return { hub, log, state, commit, send };
}

describe('the stream hub', () => {
  it('ignores repeated events and fills a skipped seq from the log, keeping order', async () => {
    const { hub, commit, send } = world();
    await hub.start();
    const sink = new RecordingSink();
    await hub.open(sink, { codes: null, format: 'json', excludeExercises: false });
    const [e1, e2, e3, e4] = [commit(1), commit(2), commit(3), commit(4)];
    await send(e1 as CommittedEvent);
    await send(e1 as CommittedEvent);
    await send(e3 as CommittedEvent); // e2 never comes from the bus
    await send(e4 as CommittedEvent);
    await send(e2 as CommittedEvent); // ... or comes late
    await sink.until(5);
    assert.deepEqual(sink.seqs(), [1, 2, 3, 4]);
    await hub.stop();
  });

  it('writes events that arrive together to a socket in one write (coalescing)', async () => {
    const { hub, commit, send } = world();
    await hub.start();
    const sink = new RecordingSink();
    await hub.open(sink, { codes: ['UA-59'], format: 'json', excludeExercises: false });
    const events = Array.from({ length: 10 }, (_, i) => commit(i + 1));
    for (const event of events) void send(event);
    await sink.until(11);
    assert.equal(sink.writes.length, 2, 'the snapshot, then one write for the ten events');
    assert.equal(sink.writes[1]?.length, 1, 'one Buffer, not ten');
    assert.deepEqual(sink.seqs(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await hub.stop();
  });

  it('joins events committed while a fan-out runs to the sockets it has not written yet', async () => {
    const { hub, commit, send } = world();
    await hub.start();
    // More subscribers than one slice of writes, so the fan-out takes several turns of the loop.
    const sinks = Array.from({ length: 2500 }, () => new RecordingSink());
    for (const sink of sinks)
      await hub.open(sink, { codes: ['UA-59'], format: 'json', excludeExercises: false });
    const first = sinks[0] as RecordingSink;
    const last = sinks[sinks.length - 1] as RecordingSink;
    void send(commit(1));
    await first.until(2); // the first slice went out; the last sockets still wait
    for (let seq = 2; seq <= 10; seq++) void send(commit(seq));
    await Promise.all(sinks.map((sink) => sink.until(11)));
    const expected = Array.from({ length: 10 }, (_, i) => i + 1);
    for (const sink of sinks) assert.deepEqual(sink.seqs(), expected);
    assert.equal(first.writes.length, 3, 'snapshot, event 1, then events 2-10 in one write');
    assert.equal(last.writes.length, 2, 'snapshot, then the ten events in one write');
    assert.equal(last.writes[1]?.length, 1);
    assert.equal(
      sinks.filter((sink) => sink.writes.length === 2).length >= 1000,
      true,
      'most sockets got the whole burst in one write',
    );
    await hub.stop();
  });

  it('sends a heartbeat during a fan-out after the events it covers, joined to their write', async () => {
    const { hub, commit, send } = world();
    await hub.start();
    const sinks = Array.from({ length: 2500 }, () => new RecordingSink());
    for (const sink of sinks) await hub.open(sink, { codes: null, format: 'json', excludeExercises: false });
    void send(commit(1));
    await (sinks[0] as RecordingSink).until(2); // the fan-out of event 1 is under way
    hub.heartbeat();
    await Promise.all(sinks.map((sink) => sink.until(3)));
    for (const sink of sinks) {
      const messages = sink.messages().map((m) => JSON.parse(m) as { type: string; seq: number });
      assert.deepEqual(
        messages.map((m) => m.type),
        ['snapshot', 'alert.issued', 'heartbeat'],
      );
      assert.equal(messages[2]?.seq, 1, 'the beat covers event 1');
    }
    const last = sinks[sinks.length - 1] as RecordingSink;
    assert.equal(last.writes.length, 2, 'snapshot, then event 1 and the beat in one write');
    await hub.stop();
  });

  it('spreads heartbeats: each stream is beaten once per interval, one group per second', async () => {
    // 2 s between beats → two groups, one beaten every second.
    const { hub } = world({ heartbeatMs: 2_000 });
    await hub.start();
    const sinks = Array.from({ length: 4 }, () => new RecordingSink());
    for (const sink of sinks) await hub.open(sink, { codes: null, format: 'json', excludeExercises: false });
    const beats = (sink: RecordingSink) => sink.messages().filter((m) => m.includes('"heartbeat"')).length;
    // The beat timer is unref'd: this deadline keeps the loop alive (and fails a test that hangs).
    const deadline = setTimeout(() => assert.fail('no heartbeats within 10 s'), 10_000);
    await Promise.race(sinks.map((sink) => sink.until(2)));
    assert.deepEqual(sinks.map(beats), [1, 0, 1, 0], 'the first second beats one group only');
    await Promise.all(sinks.map((sink) => sink.until(2)));
    assert.deepEqual(sinks.map(beats), [1, 1, 1, 1], 'the next second the other group');
    clearTimeout(deadline);
    await hub.stop();
  });

  it('opens with no gap and no duplicate while events are committed during the replay', async () => {
    const { hub, commit, send, log } = world();
    for (let seq = 1; seq <= 50; seq++) commit(seq);
    await hub.start();
    // The log answers slowly: events keep arriving from the bus during the replay.
    const readEvents = log.readEvents.bind(log);
    let next = 51;
    log.readEvents = async (after, limit) => {
      for (let i = 0; i < 3; i++) await send(commit(next++));
      return readEvents(after, Math.min(limit, 7));
    };
    const sink = new RecordingSink();
    await hub.open(sink, { codes: null, since: 10, format: 'json', excludeExercises: false });
    const last = next - 1;
    await sink.until(last - 10);
    assert.deepEqual(
      sink.seqs(),
      Array.from({ length: last - 10 }, (_, i) => i + 11),
    );
    await hub.stop();
  });

  it('does not repeat an event that a stream replayed just before the fan-out reached it', async () => {
    const { hub, commit, send } = world();
    await hub.start();
    for (let seq = 1; seq <= 3; seq++) await send(commit(seq));
    const watcher = new RecordingSink();
    await hub.open(watcher, { codes: null, format: 'json', excludeExercises: false });
    void send(commit(4)); // sequenced now, fanned out on the next turn of the loop
    const sink = new RecordingSink();
    await hub.open(sink, { codes: null, since: 2, format: 'json', excludeExercises: false });
    await watcher.until(2);
    const marker = commit(5);
    await send(marker);
    await sink.until(3);
    assert.deepEqual(sink.seqs(), [3, 4, 5]);
    await hub.stop();
  });

  it('never streams operator-only events (pending, rejected, lapsed), live or replayed', async () => {
    const { hub, commit, send } = world();
    await hub.start();
    const live = new RecordingSink();
    await hub.open(live, { codes: null, format: 'json', excludeExercises: false });
    await send(commit(1, ['UA-59'], 'alert.pending'));
    await send(commit(2, ['UA-59'], 'alert.rejected'));
    await send(commit(3, ['UA-59'], 'alert.issued'));
    await live.until(2);
    const replayed = new RecordingSink();
    await hub.open(replayed, { codes: null, since: 0, format: 'json', excludeExercises: false });
    await replayed.until(1);
    assert.deepEqual(live.seqs(), [3]);
    assert.deepEqual(replayed.seqs(), [3]);
    assert.equal(
      live.messages().some((m) => m.includes('alert.pending') || m.includes('alert.rejected')),
      false,
    );
    await hub.stop();
  });

  it('after a start, resumes from the recent events in memory without asking the store', async () => {
    const { hub, commit, log } = world();
    for (let seq = 1; seq <= 10; seq++) commit(seq);
    await hub.start();
    let storeReads = 0;
    const readEvents = log.readEvents.bind(log);
    const oldest = log.oldestRetainedSeq.bind(log);
    log.readEvents = (after, limit) => {
      storeReads++;
      return readEvents(after, limit);
    };
    log.oldestRetainedSeq = () => {
      storeReads++;
      return oldest();
    };
    const sink = new RecordingSink();
    await hub.open(sink, { codes: null, since: 5, format: 'json', excludeExercises: false });
    assert.deepEqual(sink.seqs(), [6, 7, 8, 9, 10]);
    assert.equal(storeReads, 0);
    await hub.stop();
  });
});
