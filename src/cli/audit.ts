// `tocsin audit verify`: recomputes the audit log's hash chain straight from the database (the
// SQLite file in the data folder, or DATABASE_URL) and names the first broken record.
// Exit 0: intact; 1: broken; 2: usage, configuration or I/O.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createChainVerifier } from '../audit/chain.ts';
import { formatViolations, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { type Command, EXIT } from './command.ts';
import { parseFlags, stringFlag, UsageError } from './flags.ts';

const PAGE = 1000;

const help = `Usage: tocsin audit verify [--data-dir DIR] [--config FILE] [--json]

  verify   recompute the hash chain of the audit log (each record holds the hash of the one
           before; its own hash is SHA-256 over its canonical JSON) and name the first record
           that was changed, inserted or removed.

Reads the SQLite database in DIR (default TOCSIN_DATA_DIR or ./tocsin-data), or PostgreSQL when
DATABASE_URL is set. Exit 0 when the chain is intact, 1 when it is broken, 2 on usage or I/O errors.
`;

export const command: Command = {
  summary: 'verify the hash chain of the audit log',
  help,
  async run(args, io) {
    let store: Store | undefined;
    try {
      const [action, ...rest] = args;
      if (action !== 'verify')
        throw new UsageError(action === undefined ? 'missing action: verify' : `unknown action '${action}'`);
      const parsed = parseFlags(
        rest,
        { 'data-dir': { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
        0,
      );
      const file = stringFlag(parsed, 'config');
      const dataDir = stringFlag(parsed, 'data-dir');
      const result = loadConfig({
        env: io.env,
        ...(file !== undefined ? { file } : {}),
        ...(dataDir !== undefined ? { flags: { dataDir: { value: dataDir, flag: '--data-dir' } } } : {}),
      });
      if (!result.ok) {
        io.stderr(formatViolations(result.violations));
        return EXIT.usage;
      }
      store = await openExistingStore(result.config);
      const verifier = createChainVerifier();
      for (let after = 0; ; ) {
        const rows = await store.audit.readRows(after, PAGE);
        if (!verifier.add(rows) || rows.length < PAGE) break;
        after = rows[rows.length - 1]?.seq ?? after;
      }
      const verdict = verifier.finish(await store.audit.head());
      if (parsed.values.json) io.stdout(`${JSON.stringify(verdict)}\n`);
      else if (verdict.ok)
        io.stdout(`audit log intact: ${verdict.checked} records, last hash ${verdict.lastHash}\n`);
      else
        io.stdout(
          `audit log BROKEN at record ${verdict.seq}: ${verdict.reason}\n(${verdict.checked} records before it are intact)\n`,
        );
      return verdict.ok ? EXIT.ok : EXIT.failure;
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`tocsin audit: ${error.message}\n${help}`);
        return EXIT.usage;
      }
      io.stderr(`tocsin audit: ${(error as Error).message}\n`);
      return EXIT.usage;
    } finally {
      await store?.close();
    }
  },
};

/** The store the hub uses; never creates an empty SQLite database where none exists. */
async function openExistingStore(config: Config): Promise<Store> {
  if (config.database.url === '' && !existsSync(join(config.dataDir, 'tocsin.db')))
    throw new Error(`no Tocsin database in ${config.dataDir} (set --data-dir or DATABASE_URL)`);
  return openStore({ databaseUrl: config.database.url, dataDir: config.dataDir });
}
