// A worker's Bus: committed events relayed by the primary (which heard them on the hub's own bus,
// in-process or NATS). Workers never commit, so they never publish.
import type { Bus, BusEvent, BusHandler } from '../bus/bus.ts';

export interface RelayBus extends Bus {
  /** Hands a relayed event to every subscriber, in order; a throwing one never stops the others. */
  deliver(event: BusEvent): void;
}

export function createRelayBus(onError: (error: unknown, event: BusEvent) => void): RelayBus {
  let handlers: readonly BusHandler[] = [];
  let closed = false;
  return {
    deliver(event) {
      if (closed) return;
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (error) {
          onError(error, event);
        }
      }
    },
    async publish() {
      throw new Error('a stream worker never publishes: the primary owns every write');
    },
    subscribe(handler) {
      handlers = [...handlers, handler];
      return () => {
        handlers = handlers.filter((h) => h !== handler);
      };
    },
    async close() {
      closed = true;
      handlers = [];
    },
  } satisfies RelayBus;
}
