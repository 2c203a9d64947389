// A fresh PostgreSQL database per test run on the machine's server (127.0.0.1:5432, trust auth,
// user postgres), dropped afterwards. Tests never share a database, so they can run in parallel.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The maintenance database used to create and drop test databases. */
export const TEST_POSTGRES_ADMIN_URL =
  process.env.TOCSIN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database, disconnecting anything still attached. Safe to call twice. */
  drop(): Promise<void>;
}

let swept = false;

/** Creates an empty database named `tocsin_test_<pid>_<random>` and returns its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!swept) {
    swept = true;
    await dropLeftovers();
  }
  const name = `tocsin_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  // template0 takes no connections, so a session left on template1 (a tool, another test) can never
  // make CREATE DATABASE fail with "source database is being accessed by other users".
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) (PostgreSQL 13+) ends sessions a failed test left open.
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Drops test databases whose creating process is gone (a run killed before its cleanup). */
async function dropLeftovers(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'tocsin\\_test\\_%'",
    );
    for (const { datname } of rows) {
      const pid = Number(/^tocsin_test_(\d+)_[0-9a-f]+$/.exec(datname)?.[1]);
      if (!Number.isSafeInteger(pid) || processAlive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
