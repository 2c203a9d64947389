// `tocsin alert issue | update | all-clear | cancel | approve | reject | get | list`: the alert
// lifecycle over the HTTP API of a running hub. Exit 0 when the hub accepted, 1 when it
// refused (its error code and details are printed), 2 for usage errors or an unreachable hub.
import { type CliIo, type Command, EXIT } from './command.ts';
import { listFlag, type Parsed, parseFlags, stringFlag, UsageError } from './flags.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

const help = `Usage: tocsin alert <action> [options] [--server URL] [--token T] [--json]

Actions:
  issue --event TYPE --region CODE [--region CODE ...] [--status Actual|Exercise|Test|System]
        [--headline-uk T] [--headline-en T] [--instruction-uk T] [--instruction-en T]
        [--description-uk T] [--description-en T] [--expires RFC3339 | --expires-in MINUTES]
        [--note T] [--idempotency-key K]
                        issue an alert in the short form (the hub fills in the CAP)
  update ID [same options as issue, all optional]
                        a new message for the incident, replacing the alert ID
  all-clear ID [--headline-uk T ...]   end the incident: CAP Update, responseType AllClear
  cancel ID [--note T]                 withdraw the incident: CAP Cancel
  approve ID | reject ID [--reason T]  act on an alert waiting for a second operator
  get ID [--xml]                       one alert (or its CAP XML as issued)
  list [--active] [--region CODE] [--event TYPE] [--from T] [--to T] [--limit N] [--cursor C]

Options:
  --server URL   the hub (env TOCSIN_SERVER, default ${DEFAULT_SERVER})
  --token T      bearer token (env TOCSIN_TOKEN)
  --json         print the hub's JSON reply

Exit codes: 0 done, 1 the hub refused (error code and details printed), 2 usage error or hub unreachable.
`;

const COMMON = {
  server: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const TEXT_FIELDS = ['headline', 'instruction', 'description'] as const;
const LANGS = ['uk', 'en'] as const;

const FORM = {
  event: { type: 'string' },
  region: { type: 'string', multiple: true },
  status: { type: 'string' },
  expires: { type: 'string' },
  'expires-in': { type: 'string' },
  note: { type: 'string' },
  ...Object.fromEntries(TEXT_FIELDS.flatMap((f) => LANGS.map((l) => [`${f}-${l}`, { type: 'string' }]))),
} as const;

/** The short-form body from the flags; only what was given. */
function shortForm(parsed: Parsed): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const event = stringFlag(parsed, 'event');
  if (event !== undefined) body.event = event;
  const regions = listFlag(parsed, 'region')
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  if (regions.length > 0) body.regions = regions;
  const status = stringFlag(parsed, 'status');
  if (status !== undefined) body.status = status;
  for (const field of TEXT_FIELDS) {
    const texts: Record<string, string> = {};
    for (const lang of LANGS) {
      const text = stringFlag(parsed, `${field}-${lang}`);
      if (text !== undefined) texts[lang] = text;
    }
    if (Object.keys(texts).length > 0) body[field] = texts;
  }
  const expires = stringFlag(parsed, 'expires');
  if (expires !== undefined) body.expires = expires;
  const expiresIn = stringFlag(parsed, 'expires-in');
  if (expiresIn !== undefined) {
    if (!/^\d+$/.test(expiresIn))
      throw new UsageError(`--expires-in must be a whole number of minutes, got '${expiresIn}'`);
    body.expiresInMinutes = Number(expiresIn);
  }
  const note = stringFlag(parsed, 'note');
  if (note !== undefined) body.note = note;
  return body;
}

interface Target {
  server: string;
  token: string | undefined;
}

function targetOf(parsed: Parsed, io: CliIo): Target {
  const server = (stringFlag(parsed, 'server') ?? io.env.TOCSIN_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
  try {
    const url = new URL(server);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--server must be an http:// or https:// URL, got '${server}'`);
  }
  return { server, token: stringFlag(parsed, 'token') ?? io.env.TOCSIN_TOKEN };
}

class Unreachable extends Error {}

interface Reply {
  status: number;
  contentType: string;
  text: string;
}

async function call(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (target.token) h.authorization = `Bearer ${target.token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${target.server}${path}`, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Unreachable(
      `cannot reach ${target.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

function refusal(io: CliIo, reply: Reply, json: boolean): number {
  if (json) {
    io.stderr(`${reply.text}\n`);
    return EXIT.failure;
  }
  try {
    const { error } = JSON.parse(reply.text) as {
      error: { code: string; message: string; details?: { code?: string; path?: string; message: string }[] };
    };
    const lines = [`tocsin alert: ${error.code} (HTTP ${reply.status}): ${error.message}`];
    for (const d of error.details ?? [])
      lines.push(
        `  ${[d.code, d.path].filter(Boolean).join(' at ')}${d.code || d.path ? ': ' : ''}${d.message}`,
      );
    io.stderr(`${lines.join('\n')}\n`);
  } catch {
    io.stderr(`tocsin alert: HTTP ${reply.status}: ${reply.text.slice(0, 500)}\n`);
  }
  return EXIT.failure;
}

interface AlertViewLike {
  id: string;
  incident: string;
  state: string;
  event: string;
  status: string;
  msgType: string;
  sent: string;
  expires: string | null;
  regions: { code: string }[];
  active: boolean;
}

function describeAlert(a: AlertViewLike): string {
  const regions = a.regions.map((r) => r.code).join(',');
  const mode = a.status === 'Actual' ? '' : ` [${a.status.toUpperCase()}]`;
  return `${a.id}  ${a.state.padEnd(10)} ${a.event} ${a.msgType} ${regions || '-'} sent ${a.sent}${a.expires ? ` expires ${a.expires}` : ''}${mode}`;
}

const ID_ACTIONS = new Set(['update', 'all-clear', 'cancel', 'approve', 'reject', 'get']);

async function runAction(action: string, args: string[], io: CliIo): Promise<number> {
  const options =
    action === 'issue' || action === 'update' || action === 'all-clear'
      ? { ...COMMON, ...FORM, 'idempotency-key': { type: 'string' as const } }
      : action === 'cancel'
        ? { ...COMMON, note: { type: 'string' as const } }
        : action === 'reject'
          ? { ...COMMON, reason: { type: 'string' as const } }
          : action === 'get'
            ? { ...COMMON, xml: { type: 'boolean' as const } }
            : action === 'approve'
              ? COMMON
              : {
                  ...COMMON,
                  active: { type: 'boolean' as const },
                  region: { type: 'string' as const },
                  event: { type: 'string' as const },
                  from: { type: 'string' as const },
                  to: { type: 'string' as const },
                  limit: { type: 'string' as const },
                  cursor: { type: 'string' as const },
                };
  const parsed = parseFlags(args, options, ID_ACTIONS.has(action) ? 1 : 0);
  const json = parsed.values.json === true;
  const id = parsed.positionals[0];
  if (ID_ACTIONS.has(action) && id === undefined) throw new UsageError(`${action} needs an alert ID`);
  const target = targetOf(parsed, io);
  const alertPath = `/v1/alerts/${encodeURIComponent(id ?? '')}`;

  let reply: Reply;
  switch (action) {
    case 'issue': {
      const body = shortForm(parsed);
      if (body.event === undefined) throw new UsageError('issue needs --event TYPE (e.g. air_raid)');
      if (body.regions === undefined) throw new UsageError('issue needs --region CODE (e.g. UA-59)');
      const key = stringFlag(parsed, 'idempotency-key');
      reply = await call(target, 'POST', '/v1/alerts', body, key ? { 'idempotency-key': key } : {});
      break;
    }
    case 'update':
      reply = await call(target, 'POST', `${alertPath}/update`, shortForm(parsed));
      break;
    case 'all-clear': {
      const body = shortForm(parsed);
      reply = await call(
        target,
        'POST',
        `${alertPath}/all-clear`,
        Object.keys(body).length > 0 ? body : undefined,
      );
      break;
    }
    case 'cancel': {
      const note = stringFlag(parsed, 'note');
      reply = await call(target, 'POST', `${alertPath}/cancel`, note !== undefined ? { note } : undefined);
      break;
    }
    case 'approve':
      reply = await call(target, 'POST', `${alertPath}/approve`);
      break;
    case 'reject': {
      const reason = stringFlag(parsed, 'reason');
      reply = await call(target, 'POST', `${alertPath}/reject`, reason !== undefined ? { reason } : {});
      break;
    }
    case 'get':
      reply = await call(target, 'GET', parsed.values.xml ? `${alertPath}.xml` : alertPath);
      if (reply.status === 200 && parsed.values.xml) {
        io.stdout(reply.text.endsWith('\n') ? reply.text : `${reply.text}\n`);
        return EXIT.ok;
      }
      break;
    default: {
      const query = new URLSearchParams();
      if (parsed.values.active) query.set('active', 'true');
      for (const name of ['region', 'event', 'from', 'to', 'limit', 'cursor']) {
        const value = stringFlag(parsed, name);
        if (value !== undefined) query.set(name, value);
      }
      const qs = query.toString();
      reply = await call(target, 'GET', `/v1/alerts${qs ? `?${qs}` : ''}`);
    }
  }

  if (reply.status >= 400) return refusal(io, reply, json);
  if (json) {
    io.stdout(`${reply.text}\n`);
    return EXIT.ok;
  }
  const data = JSON.parse(reply.text) as Record<string, unknown>;
  if (action === 'list') {
    const { items, nextCursor } = data as { items: AlertViewLike[]; nextCursor: string | null };
    io.stdout(items.length === 0 ? 'no alerts\n' : `${items.map(describeAlert).join('\n')}\n`);
    if (nextCursor) io.stdout(`more: --cursor ${nextCursor}\n`);
    return EXIT.ok;
  }
  const alert = (action === 'get' ? data : data.alert) as AlertViewLike;
  const verb =
    action === 'issue'
      ? data.outcome === 'pending'
        ? 'pending approval (a second operator must approve)'
        : 'issued'
      : action === 'get'
        ? ''
        : `${action} done:`;
  io.stdout(`${verb ? `${verb} ` : ''}${describeAlert(alert)}\n`);
  return EXIT.ok;
}

export const command: Command = {
  summary: 'issue, update, end and list alerts on a running hub',
  help,
  async run(args, io) {
    const [action, ...rest] = args;
    try {
      if (action === undefined) throw new UsageError('missing action');
      if (action !== 'issue' && action !== 'list' && !ID_ACTIONS.has(action))
        throw new UsageError(`unknown action '${action}'`);
      return await runAction(action, rest, io);
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`tocsin alert: ${error.message}\n${help}`);
        return EXIT.usage;
      }
      if (error instanceof Unreachable) {
        io.stderr(`tocsin alert: ${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  },
};
