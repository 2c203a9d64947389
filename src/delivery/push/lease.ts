// One runner per cluster for the channels that must not run twice: MQTT (two nodes would publish
// every event twice) and Web Push (every phone would buzz twice). The node holding the lease runs
// them; the others wait and take over when it goes. The channels resume from their cursors in the
// shared store, so a takeover delays and never loses (at-least-once across the handover).
// On SQLite there is one node: `soleNodeLease` holds at once. On PostgreSQL the lease is a
// session-level advisory lock on a connection of its own (`src/store/postgres/lease.ts`): the
// server drops it with the connection, so a crashed or cut-off node frees it by itself.

export interface LeaseHooks {
  /** This node now holds the lease: start the channels. */
  acquired(): Promise<void>;
  /** This node lost (or gives back) the lease: stop them. */
  lost(): Promise<void>;
}

export interface Lease {
  /** Starts competing; resolves after the first attempt (with `acquired` done when it won). */
  run(hooks: LeaseHooks): Promise<void>;
  holding(): boolean;
  /** Gives the lease back (calling `lost` first when held) and stops competing. */
  stop(): Promise<void>;
}

/** The only node there is: holds the lease from the start and never loses it. */
export function soleNodeLease(): Lease {
  let hooks: LeaseHooks | undefined;
  return {
    async run(given) {
      hooks = given;
      await given.acquired();
    },
    holding: () => hooks !== undefined,
    async stop() {
      const held = hooks;
      hooks = undefined;
      await held?.lost();
    },
  };
}
