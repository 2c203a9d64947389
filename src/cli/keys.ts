// `tocsin keys rotate | list`: the event-signing keys in the data folder. Rotation keeps every
// old public key (still published in the JWKS) and drops the old private key. A running hub
// keeps signing with the key it loaded until it restarts.

import { openKeyRing, rotateKeys } from '../auth/keys.ts';
import { formatViolations, loadConfig } from '../config/load.ts';
import { eventKeysDir } from '../config/schema.ts';
import { type Command, EXIT } from './command.ts';
import { parseFlags, stringFlag, UsageError } from './flags.ts';

const help = `Usage: tocsin keys rotate [--data-dir DIR] [--config FILE] [--json]
       tocsin keys list   [--data-dir DIR] [--config FILE] [--json]

  rotate   make a new current signing key; old public keys stay published so events
           signed before still verify. Restart the hub to sign with the new key.
  list     print the key ids (current first)

The keys live in DIR/signing-keys.json (mode 0600): DIR is alerts.eventKeysDir (TOCSIN_EVENT_KEYS_DIR)
when set, else the data dir (--data-dir, TOCSIN_DATA_DIR, ./tocsin-data).
`;

export const command: Command = {
  summary: 'rotate or list the event-signing keys',
  help,
  async run(args, io) {
    try {
      const [action, ...rest] = args;
      if (action !== 'rotate' && action !== 'list') {
        throw new UsageError(
          action === undefined ? 'missing action: rotate or list' : `unknown action '${action}'`,
        );
      }
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
      const dir = eventKeysDir(result.config);
      if (action === 'rotate') {
        const { previous, current } = rotateKeys(dir);
        io.stdout(
          parsed.values.json
            ? `${JSON.stringify({ current, previous })}\n`
            : `new signing key ${current}${previous ? ` (replaces ${previous}, still published)` : ''}\nrestart the hub to sign with it\n`,
        );
        return EXIT.ok;
      }
      const kids = openKeyRing(dir)
        .jwks()
        .keys.map((k) => k.kid);
      io.stdout(
        parsed.values.json
          ? `${JSON.stringify({ keys: kids })}\n`
          : `${kids.map((k, i) => `${k}${i === 0 ? '  (current)' : ''}`).join('\n')}\n`,
      );
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof UsageError)) {
        io.stderr(`tocsin keys: ${(error as Error).message}\n`);
        return EXIT.usage;
      }
      io.stderr(`tocsin keys: ${error.message}\n${help}`);
      return EXIT.usage;
    }
  },
};
