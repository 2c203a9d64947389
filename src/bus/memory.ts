// The in-process bus for a single node: publish calls every handler in order, synchronously.
import type { Bus, BusEvent, BusHandler } from './bus.ts';

/** A bus for one process. A throwing handler is reported to `onError` and never stops the others. */
export function createMemoryBus(options: { onError?: (error: unknown, event: BusEvent) => void } = {}): Bus {
  // A copy-on-write array: subscribing during a publish never changes the running loop.
  let handlers: readonly BusHandler[] = [];
  let closed = false;
  return {
    async publish(event) {
      if (closed) return;
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (error) {
          options.onError?.(error, event);
        }
      }
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
  } satisfies Bus;
}
