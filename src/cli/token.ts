// `tocsin token create | list | revoke`: machine tokens straight in the data folder or
// database, for bootstrap and automation. The secret is printed once and stored hashed.
import { ROLES } from '../alerts/actor.ts';
import { TocsinError } from '../alerts/errors.ts';
import { parseDuration } from '../auth/duration.ts';
import { tokenView } from '../auth/tokens.ts';
import { type Command, EXIT } from './command.ts';
import { listFlag, parseFlags, stringFlag, UsageError } from './flags.ts';
import { configFrom, STORE_FLAGS, splitList, withIdentity } from './identity-cli.ts';

const help = `Usage: tocsin token create --role ROLE --jurisdiction CODES [--name NAME] [--expires-in 30d|never]
       tocsin token list
       tocsin token revoke ID
  (each also takes [--data-dir DIR] [--config FILE] [--json])

  create   mint a token with ROLE (${ROLES.join(', ')}; repeat or comma-separate) over the
           region CODES (descendants included); prints the token once. Default expiry 90d.
  list     the tokens (never their secrets)
  revoke   refuse a token from now on

Works directly on the data: DIR (default TOCSIN_DATA_DIR or ./tocsin-data) or DATABASE_URL.
Send a token as "Authorization: Bearer <token>", or to \`tocsin alert\` with --token / TOCSIN_TOKEN.
`;

export const command: Command = {
  summary: 'mint, list or revoke machine tokens',
  help,
  async run(args, io) {
    try {
      const [action, ...rest] = args;
      if (action !== 'create' && action !== 'list' && action !== 'revoke')
        throw new UsageError(
          action === undefined ? 'missing action: create, list or revoke' : `unknown action '${action}'`,
        );
      const parsed = parseFlags(
        rest,
        {
          ...STORE_FLAGS,
          role: { type: 'string', multiple: true },
          jurisdiction: { type: 'string', multiple: true },
          name: { type: 'string' },
          'expires-in': { type: 'string' },
        },
        action === 'revoke' ? 1 : 0,
      );
      const json = parsed.values.json === true;
      const config = configFrom(parsed, io);

      if (action === 'revoke') {
        const id = parsed.positionals[0];
        if (id === undefined) throw new UsageError('missing token ID');
        await withIdentity(config, (identity) => identity.revokeToken(id));
        io.stdout(json ? `${JSON.stringify({ revoked: id })}\n` : `token ${id} revoked\n`);
        return EXIT.ok;
      }
      if (action === 'list') {
        const tokens = await withIdentity(config, (_identity, store) => store.identity.listTokens());
        const views = tokens.map(tokenView);
        io.stdout(
          json
            ? `${JSON.stringify({ tokens: views })}\n`
            : views
                .map(
                  (t) =>
                    `${t.id}  ${t.name}  ${t.roles.join(',')}  ${t.jurisdiction.join(',')}  expires ${t.expiresAt ?? 'never'}${t.revokedAt ? '  REVOKED' : ''}\n`,
                )
                .join(''),
        );
        return EXIT.ok;
      }

      const roles = splitList(listFlag(parsed, 'role'));
      const jurisdiction = splitList(listFlag(parsed, 'jurisdiction'));
      if (roles.length === 0) throw new UsageError('--role is required');
      if (jurisdiction.length === 0) throw new UsageError('--jurisdiction is required');
      const lifetime = stringFlag(parsed, 'expires-in') ?? '90d';
      const ms = lifetime === 'never' ? null : parseDuration(lifetime);
      if (ms === undefined)
        throw new UsageError(`--expires-in: a duration like 30d, 12h, 15m, 90s, or never; got '${lifetime}'`);
      const { token, secret } = await withIdentity(config, (identity) =>
        identity.mintToken({
          name: stringFlag(parsed, 'name') ?? 'cli',
          roles: roles as never,
          jurisdiction,
          expiresMs: ms === null ? null : Date.now() + ms,
          operatorId: null,
        }),
      );
      io.stdout(json ? `${JSON.stringify({ token: secret, info: tokenView(token) })}\n` : `${secret}\n`);
      if (!json)
        io.stderr(
          `token ${token.id} (${token.roles.join(',')} over ${token.jurisdiction.join(',')}) — shown only now\n`,
        );
      return EXIT.ok;
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`tocsin token: ${error.message}\n${help}`);
        return EXIT.usage;
      }
      if (error instanceof TocsinError) {
        io.stderr(`tocsin token: ${error.code}: ${error.message}\n`);
        return EXIT.failure;
      }
      io.stderr(`tocsin token: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  },
};
