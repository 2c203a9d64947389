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

/** Creates an empty database named `tocsin_test_<pid>_<random>` and returns its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
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

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
