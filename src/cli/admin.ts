// `tocsin admin create --name N`: the first admin (or another), straight into the data folder
// or database. Prints a one-time password once; it must be changed at first login.
import { TocsinError } from '../alerts/errors.ts';
import { type Command, EXIT } from './command.ts';
import { listFlag, parseFlags, stringFlag, UsageError } from './flags.ts';
import { configFrom, STORE_FLAGS, splitList, withIdentity } from './identity-cli.ts';

const help = `Usage: tocsin admin create --name NAME [--jurisdiction CODES] [--data-dir DIR] [--config FILE] [--json]

Creates an operator with the admin role (and every other role) over CODES (default UA, the
whole tree) and prints a one-time password, once. Log in with it (POST /v1/session) and change
it (POST /v1/session/password) before anything else is allowed. There are no default
credentials: this is how the first operator comes to exist.

Works directly on the data: DIR (default TOCSIN_DATA_DIR or ./tocsin-data) or DATABASE_URL.
`;

export const command: Command = {
  summary: 'create an admin operator (prints a one-time password)',
  help,
  async run(args, io) {
    try {
      const [action, ...rest] = args;
      if (action !== 'create')
        throw new UsageError(action === undefined ? 'missing action: create' : `unknown action '${action}'`);
      const parsed = parseFlags(
        rest,
        { ...STORE_FLAGS, name: { type: 'string' }, jurisdiction: { type: 'string', multiple: true } },
        0,
      );
      const name = stringFlag(parsed, 'name');
      if (name === undefined) throw new UsageError('--name is required');
      const codes = splitList(listFlag(parsed, 'jurisdiction'));
      const config = configFrom(parsed, io);
      const { operator, password } = await withIdentity(config, (identity) =>
        identity.createOperator({
          name,
          roles: ['admin', 'approver', 'author', 'viewer'],
          jurisdiction: codes.length > 0 ? codes : ['UA'],
        }),
      );
      io.stdout(
        parsed.values.json
          ? `${JSON.stringify({ id: operator.id, name: operator.name, password, mustChangePassword: true })}\n`
          : `admin ${operator.name} created (${operator.id})\none-time password: ${password}\nit is shown only now; log in and change it before anything else\n`,
      );
      return EXIT.ok;
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`tocsin admin: ${error.message}\n${help}`);
        return EXIT.usage;
      }
      if (error instanceof TocsinError) {
        io.stderr(`tocsin admin: ${error.code}: ${error.message}\n`);
        return EXIT.failure;
      }
      io.stderr(`tocsin admin: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  },
};
