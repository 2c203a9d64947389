// What `tocsin admin` and `tocsin token` share: the configuration (flags < env < file as in
// `tocsin serve`), the store it names (SQLite data folder or DATABASE_URL), and the identity
// rules over it. They work directly on the data, with or without a running hub.

import { createIdentity, type Identity } from '../auth/identity.ts';
import { formatViolations, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { loadRegionTree } from '../store/default-regions.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import type { CliIo } from './command.ts';
import { type Parsed, stringFlag, UsageError } from './flags.ts';

export const STORE_FLAGS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function configFrom(parsed: Parsed, io: CliIo): Config {
  const file = stringFlag(parsed, 'config');
  const dataDir = stringFlag(parsed, 'data-dir');
  const result = loadConfig({
    env: io.env,
    ...(file !== undefined ? { file } : {}),
    ...(dataDir !== undefined ? { flags: { dataDir: { value: dataDir, flag: '--data-dir' } } } : {}),
  });
  if (!result.ok) throw new UsageError(formatViolations(result.violations).trim());
  return result.config;
}

/** Opens the store, runs `work` with the identity rules over it, closes the store. */
export async function withIdentity<T>(
  config: Config,
  work: (identity: Identity, store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({ databaseUrl: config.database.url, dataDir: config.dataDir });
  try {
    const tree = await loadRegionTree(store);
    const a = config.auth;
    const identity = createIdentity({
      store: store.identity,
      tree,
      sessionIdleMs: a.sessionIdleMs,
      sessionMaxMs: a.sessionMaxMs,
      loginMaxFailures: a.loginMaxFailures,
      loginIpMaxFailures: a.loginIpMaxFailures,
      lockMs: a.loginLockMs,
      audit: (entry) => store.audit.append(entry),
    });
    return await work(identity, store);
  } finally {
    await store.close();
  }
}

/** `a,b` and repeated flags alike. */
export function splitList(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
