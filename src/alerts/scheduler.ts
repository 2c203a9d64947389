// One timer for the earliest due entry of the schedule (expiry at `expires`, lapse of pending
// alerts), re-armed after every run and every change. Entries live in the store, so nothing is
// missed across a restart: start() runs everything that fell due while the hub was down.
import type { Store } from '../store/store.ts';
import type { Clock } from './clock.ts';

/** setTimeout's limit (2^31 - 1 ms); a later entry re-arms when this fires. */
const MAX_TIMER_MS = 2_147_483_647;
/** An entry still due right after a run failed to clear: retry later, never in a hot loop. */
const RETRY_MS = 1_000;

export interface Scheduler {
  start(): Promise<void>;
  /** Re-reads the earliest entry and arms the timer for it. */
  rearm(): Promise<void>;
  stop(): Promise<void>;
}

export function createScheduler(
  store: Store,
  clock: Clock,
  runDue: () => Promise<unknown>,
  onError: (e: unknown) => void,
): Scheduler {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let armedFor = Number.POSITIVE_INFINITY;
  // The run in progress, so stop() can wait for it before the store closes.
  let inFlight: Promise<void> = Promise.resolve();

  async function fire(): Promise<void> {
    timer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    try {
      await runDue();
    } catch (error) {
      onError(error);
    }
    await rearm(RETRY_MS);
  }

  async function rearm(minDelayMs = 0): Promise<void> {
    if (!running) return;
    let next: Awaited<ReturnType<Store['nextScheduled']>>;
    try {
      next = await store.nextScheduled();
    } catch (error) {
      onError(error);
      return;
    }
    if (!running || !next) return;
    if (timer && armedFor <= next.dueMs) return;
    if (timer) clearTimeout(timer);
    armedFor = next.dueMs;
    const delayMs = next.dueMs - clock.now();
    timer = setTimeout(
      () => {
        inFlight = fire();
      },
      Math.min(delayMs > 0 ? delayMs : minDelayMs, MAX_TIMER_MS),
    );
    // Not unref()ed: a running service keeps its process alive until stop().
  }

  return {
    async start() {
      running = true;
      inFlight = fire();
      await inFlight;
    },
    rearm: () => rearm(),
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}
