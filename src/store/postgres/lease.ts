// The cluster lease of src/delivery/push/lease.ts on PostgreSQL: pg_try_advisory_lock on a client
// of its own. Advisory locks are per database, so hubs on other databases never compete. The
// holder checks its connection every `checkMs`; a broken one means the server has already dropped
// the lock (another node may hold it now), so the channels stop at once and the node competes
// again. Attempts are serialised: `acquired` and `lost` never overlap.
import pg from 'pg';
import type { Lease, LeaseHooks } from '../../delivery/push/lease.ts';

/** The lock's two keys: 'tocs' and the lease's number (1: the push channels). */
const LOCK_CLASS = 0x746f6373;

export interface PostgresLeaseOptions {
  url: string;
  /** 1: MQTT and Web Push. */
  lockId: number;
  /** Between attempts while another node holds the lease (default 2 s). */
  retryMs?: number;
  /** Between connection checks while holding it (default 5 s). */
  checkMs?: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export function createPostgresLease(options: PostgresLeaseOptions): Lease {
  const retryMs = options.retryMs ?? 2_000;
  const checkMs = options.checkMs ?? 5_000;
  let hooks: LeaseHooks | undefined;
  let client: pg.Client | undefined;
  let held = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Every step runs after the one before: an attempt, a check, a loss, the stop.
  let chain: Promise<void> = Promise.resolve();
  const serial = (step: () => Promise<void>): Promise<void> => {
    chain = chain.then(step, step);
    return chain;
  };
  const later = (step: () => Promise<void>, ms: number) => {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void serial(step), ms);
    timer.unref();
  };

  async function drop(): Promise<void> {
    const old = client;
    client = undefined;
    await old?.end().catch(() => {});
  }

  async function lose(reason: string): Promise<void> {
    if (!held) return;
    held = false;
    options.log?.warn({ reason }, 'cluster lease lost: stopping MQTT and Web Push on this node');
    await (hooks as LeaseHooks).lost();
  }

  async function attempt(): Promise<void> {
    if (stopped) return;
    try {
      if (!client) {
        const fresh = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 5_000 });
        // A broken connection shows at the next check; until then nothing may throw unhandled.
        fresh.on('error', () => {});
        await fresh.connect();
        client = fresh;
      }
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        LOCK_CLASS,
        options.lockId,
      ]);
      if (!rows[0]?.ok) {
        later(attempt, retryMs);
        return;
      }
      held = true;
      options.log?.info({}, 'cluster lease held: this node runs MQTT and Web Push');
      try {
        await (hooks as LeaseHooks).acquired();
      } catch (error) {
        // Channels that cannot start here may start on another node: give the lease back.
        held = false;
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, options.lockId]).catch(() => {});
        later(attempt, retryMs);
        throw error;
      }
      later(check, checkMs);
    } catch (error) {
      if (held) throw error;
      options.log?.warn({ err: error }, 'cluster lease: cannot reach PostgreSQL; trying again');
      await drop();
      later(attempt, retryMs);
    }
  }

  async function check(): Promise<void> {
    if (stopped || !held) return;
    try {
      await (client as pg.Client).query('SELECT 1');
      later(check, checkMs);
    } catch (error) {
      await lose((error as Error).message);
      await drop();
      later(attempt, retryMs);
    }
  }

  return {
    async run(given) {
      hooks = given;
      await serial(attempt);
    },
    holding: () => held,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await serial(async () => {
        await lose('the hub stops');
        await client?.query('SELECT pg_advisory_unlock_all()').catch(() => {});
        await drop();
      });
    },
  };
}
