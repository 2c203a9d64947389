// The choice of store engine for commands that work directly on the data folder or database
// (`tocsin admin`, `token`, `audit`, `regions`, `ingest`): PostgreSQL when a URL is given, else
// SQLite in the data dir — the same rule as the composition root (src/main.ts). Engines are
// loaded lazily so a command pays only for the one it uses.
import type { Store } from './store.ts';

export interface StoreTarget {
  /** `postgres://...`, or empty for SQLite. */
  databaseUrl: string;
  dataDir: string;
}

/** Opens the configured store (applying pending migrations). */
export async function openStore(target: StoreTarget): Promise<Store> {
  if (target.databaseUrl !== '') {
    const { openPostgresStore } = await import('./postgres/postgres-store.ts');
    return openPostgresStore({ url: target.databaseUrl });
  }
  const { openSqliteStore } = await import('./sqlite/sqlite-store.ts');
  return openSqliteStore({ dataDir: target.dataDir });
}
