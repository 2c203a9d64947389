// Hubs for integration tests: in-process (`startTestHub`, a real hub on a temp data dir and
// port 0, SQLite or a fresh PostgreSQL database) and as a child process (`spawnServe`, the
// real `tocsin serve` for signals, exit codes and crash tests). Both wait on events, never sleep.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { ROLES, type Role } from '../../src/alerts/actor.ts';
import { storeToken } from '../../src/auth/tokens.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { type Hub, startHub } from '../../src/main.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { cliCommand, REPO_ROOT } from './cli.ts';
import { createTestDatabase } from './postgres.ts';

export interface TestHub extends Hub {
  dataDir: string;
  /** Send on every API call: `authorization: Bearer <token>` of a built-in test token with every role over UA. */
  headers: Record<string, string>;
  /** Closes the hub, then removes the data dir and drops the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface TestHubOptions {
  engine?: 'sqlite' | 'postgres';
  /** Reuse a data dir (restart tests); it is then left in place by `stop`. */
  dataDir?: string;
  /** Reuse a database URL (restart tests); it is then left in place by `stop`. */
  databaseUrl?: string;
  /** Changes to the test defaults (applied after them). */
  configure?: (config: Config) => void;
  /** Extra route plugins (e.g. a route a test controls). */
  plugins?: FastifyPluginAsync[];
  /** HubOptions.leaseRetryMs: how soon a standby node tries for the MQTT / Web Push lease. */
  leaseRetryMs?: number;
}

/** Makes a temp dir removed by the returned function. */
export function makeTempDir(prefix = 'tocsin-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The configuration tests start from: loopback, port 0, quiet logs (TOCSIN_TEST_LOG=debug to see them). */
export function testConfig(dataDir: string, databaseUrl = ''): Config {
  const result = loadConfig({ env: {} });
  if (!result.ok) throw new Error('default configuration is invalid');
  const config = result.config;
  config.server.host = '127.0.0.1';
  config.server.port = 0;
  config.dataDir = dataDir;
  config.database.url = databaseUrl;
  config.log.level = (process.env.TOCSIN_TEST_LOG as Config['log']['level'] | undefined) ?? 'silent';
  // The two-person rule is on by default; tests about it switch it on, the others issue alone.
  config.alerts.twoPersonRule = false;
  // Tests send many requests with one token: rate limits are tested where they are the subject.
  config.auth.tokenRatePerSecond = 1_000_000;
  config.auth.tokenBurst = 10_000_000;
  return config;
}

/** Starts a real hub in this process. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const temp = options.dataDir === undefined ? makeTempDir() : undefined;
  const dataDir = options.dataDir ?? (temp as { dir: string }).dir;
  const database =
    options.engine === 'postgres' && options.databaseUrl === undefined
      ? await createTestDatabase()
      : undefined;
  const url = options.databaseUrl ?? database?.url ?? '';
  const config = testConfig(dataDir, url);
  options.configure?.(config);
  let hub: Hub;
  try {
    hub = await startHub(config, {
      ...(options.plugins ? { plugins: options.plugins } : {}),
      ...(options.leaseRetryMs !== undefined ? { leaseRetryMs: options.leaseRetryMs } : {}),
    });
  } catch (error) {
    temp?.remove();
    await database?.drop();
    throw error;
  }
  let stopped = false;
  return {
    ...hub,
    dataDir,
    headers: await testTokenHeaders(hub.store),
    async stop() {
      if (stopped) return;
      stopped = true;
      await hub.close();
      temp?.remove();
      await database?.drop();
    },
  };
}

/** Mints a token (no operator, no expiry) on a store; returns its secret. */
export async function mintTokenSecret(
  store: Store,
  name: string,
  roles: readonly Role[],
  jurisdiction: string[] = ['UA'],
): Promise<string> {
  const { secret } = await storeToken(
    store.identity,
    { name, roles: [...roles], jurisdiction, expiresMs: null, operatorId: null },
    Date.now(),
  );
  return secret;
}

/** Mints a token with every role over UA on a store; returns the headers that carry it. */
export async function testTokenHeaders(store: Store): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintTokenSecret(store, 'test', ROLES)}` };
}

/**
 * For `spawnServe`: mints a token with every role over UA straight into the data dir (or the
 * database) the server uses, as `tocsin token create` does; returns the secret (pass it as
 * `authorization: Bearer <secret>` or `--token`).
 */
export async function mintServeToken(where: { dataDir?: string; databaseUrl?: string }): Promise<string> {
  const store =
    where.databaseUrl !== undefined && where.databaseUrl !== ''
      ? await openPostgresStore({ url: where.databaseUrl })
      : await openSqliteStore({ dataDir: where.dataDir ?? '' });
  try {
    const headers = await testTokenHeaders(store);
    return (headers.authorization as string).slice('Bearer '.length);
  } finally {
    await store.close();
  }
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout (from now on, or already) matches `pattern`; rejects if the process exits first. */
  waitForStdout(pattern: RegExp): Promise<RegExpExecArray>;
}

const LISTENING = /tocsin listening on (http:\/\/\S+)/;

/** Spawns `tocsin serve ...args` and resolves once it prints its URL (rejects if it exits first). */
export function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const [node, ...prefix] = cliCommand();
  const child = spawn(node as string, [...prefix, 'serve', ...args], {
    cwd: REPO_ROOT,
    // As in testConfig: the two-person rule only where a test asks for it (TOCSIN_TWO_PERSON_RULE: 'true').
    // One process unless a test asks for workers: the default (one per core) triples every spawn.
    env: { ...process.env, LOG_LEVEL: 'warn', TOCSIN_TWO_PERSON_RULE: 'false', TOCSIN_WORKERS: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const waitForStdout = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stdout);
        if (!match) return false;
        child.stdout.off('data', check);
        resolve(match);
        return true;
      };
      if (check()) return;
      child.stdout.on('data', check);
      void exited.then(() => reject(new Error(`tocsin serve exited before printing ${pattern}`)));
    });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = LISTENING.exec(stdout);
      if (match)
        resolve({
          child,
          url: match[1] as string,
          output: () => ({ stdout, stderr }),
          exited,
          waitForStdout,
        });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    void exited.then(({ code, signal }) =>
      reject(new Error(`tocsin serve exited (${code ?? signal}) before listening:\n${stdout}\n${stderr}`)),
    );
  });
}
