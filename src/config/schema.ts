// Every setting of the hub, in one TypeBox schema: its type, default, description and the
// environment variable that sets it. The TypeScript type, the validation, the sample file
// (`tocsin config sample`) and docs/server.md's table all come from this one object.
import Type, { type Static } from 'typebox';

// Annotations of our own on each leaf: `env` (the environment variable that sets it) and
// `hint` (what a valid value looks like, for error messages where a pattern would be cryptic).
export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          minLength: 1,
          description:
            'Interface to listen on. Loopback by default: until operator authentication lands (issue 5) every request acts as a built-in local operator with all roles.',
          env: 'TOCSIN_HOST',
        }),
        port: Type.Integer({
          default: 8080,
          minimum: 0,
          maximum: 65535,
          description: 'TCP port; 0 picks a free port (the URL is printed when listening).',
          env: 'PORT',
        }),
        bodyLimitBytes: Type.Integer({
          default: 1_048_576,
          minimum: 1024,
          maximum: 67_108_864,
          description: 'Largest request body accepted; bigger bodies get 413.',
          env: 'TOCSIN_BODY_LIMIT_BYTES',
        }),
        shutdownTimeoutMs: Type.Integer({
          default: 10_000,
          minimum: 100,
          maximum: 600_000,
          description: 'Deadline for a graceful shutdown; after it the process exits anyway.',
          env: 'TOCSIN_SHUTDOWN_TIMEOUT_MS',
        }),
        trustProxy: Type.Boolean({
          default: false,
          description: 'Trust X-Forwarded-* headers (only behind a reverse proxy you run).',
          env: 'TOCSIN_TRUST_PROXY',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          default: 'info',
          description: 'Log level (pino, JSON lines on stdout).',
          env: 'LOG_LEVEL',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    dataDir: Type.String({
      default: './tocsin-data',
      minLength: 1,
      description: 'Folder for the SQLite database and the signing keys (created if missing).',
      env: 'TOCSIN_DATA_DIR',
    }),
    database: Type.Object(
      {
        url: Type.String({
          default: '',
          pattern: '^(postgres(ql)?://.+)?$',
          hint: 'empty or a postgres:// URL',
          description: 'postgres://... switches the store to PostgreSQL; empty keeps SQLite in dataDir.',
          env: 'DATABASE_URL',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    nats: Type.Object(
      {
        url: Type.String({
          default: '',
          pattern: '^(nats://.+)?$',
          hint: 'empty or a nats:// URL',
          description: 'nats://... switches the event bus to NATS JetStream; empty keeps the in-process bus.',
          env: 'NATS_URL',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    mqtt: Type.Object(
      {
        url: Type.String({
          default: '',
          pattern: '^(mqtts?://.+)?$',
          hint: 'empty or an mqtt:// or mqtts:// URL',
          description: 'mqtt://... turns on the MQTT delivery channel; empty leaves it off.',
          env: 'MQTT_URL',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    alerts: Type.Object(
      {
        sender: Type.String({
          default: 'tocsin@localhost',
          minLength: 1,
          pattern: '^[^\\s,<&]+$',
          hint: 'a CAP sender: no spaces, commas, < or &',
          description: 'CAP `sender` the hub writes into alerts it composes (CAP 1.2 §3.2.1: no spaces, commas or restricted characters).',
          env: 'TOCSIN_SENDER',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
