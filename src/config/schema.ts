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
            'Interface to listen on; loopback by default, 0.0.0.0 for every interface (put TLS in front: operators send tokens and passwords).',
          env: 'TOCSIN_HOST',
        }),
        port: Type.Integer({
          default: 8080,
          minimum: 0,
          maximum: 65535,
          description: 'TCP port; 0 picks a free port (the URL is printed when listening).',
          env: 'PORT',
        }),
        listenBacklog: Type.Integer({
          default: 4096,
          minimum: 1,
          maximum: 65_535,
          description:
            'Connections the kernel queues before the hub accepts them (capped by net.core.somaxconn). After a restart every subscriber reconnects at once: Node’s default of 511 made the kernel drop or SYN-cookie the excess in the 100,000-subscriber run.',
          env: 'TOCSIN_LISTEN_BACKLOG',
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
        workers: Type.Integer({
          default: 0,
          minimum: 0,
          maximum: 64,
          description:
            'Stream worker processes (node:cluster); 0 = one per core, 1 = a single process. The primary owns the store and the API; workers hold the live streams (docs/bench.md).',
          env: 'TOCSIN_WORKERS',
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
        stream: Type.String({
          default: 'TOCSIN',
          pattern: '^[A-Za-z0-9_-]{1,64}$',
          hint: 'letters, digits, - or _ (at most 64)',
          description: 'JetStream stream name, one per deployment.',
          env: 'TOCSIN_NATS_STREAM',
        }),
        subjectPrefix: Type.String({
          default: 'tocsin',
          pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
          hint: 'dot-separated tokens of letters, digits, - or _',
          description: 'NATS subject prefix, one per deployment; events go to <prefix>.event.<type>.',
          env: 'TOCSIN_NATS_SUBJECT_PREFIX',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    ingest: Type.Object(
      {
        sourcesFile: Type.String({
          default: '',
          description:
            'JSON file of upstream CAP sources to poll ({"sources":[{"name","url","jurisdiction":[codes],"event"?,"intervalMs"?}]}, docs/compat.md); empty: no ingest.',
          env: 'TOCSIN_INGEST_SOURCES_FILE',
        }),
        pollIntervalMs: Type.Integer({
          default: 60_000,
          minimum: 1000,
          maximum: 86_400_000,
          description:
            'How often each source is polled (conditional GET), unless the source sets intervalMs.',
          env: 'TOCSIN_INGEST_POLL_INTERVAL_MS',
        }),
        timeoutMs: Type.Integer({
          default: 10_000,
          minimum: 100,
          maximum: 120_000,
          description: 'Deadline of one fetch of a source or of a CAP message its feed links to.',
          env: 'TOCSIN_INGEST_TIMEOUT_MS',
        }),
        maxBytes: Type.Integer({
          default: 8_388_608,
          minimum: 1024,
          maximum: 33_554_432,
          description: 'Largest feed or CAP message fetched; larger ones are refused (INGEST_TOO_LARGE).',
          env: 'TOCSIN_INGEST_MAX_BYTES',
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
          description:
            'mqtt://... turns on the MQTT delivery channel; empty leaves it off. In a cluster, one node at a time publishes (a PostgreSQL lease).',
          env: 'MQTT_URL',
        }),
        topicPrefix: Type.String({
          default: 'tocsin',
          pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
          hint: 'slash-separated levels of letters, digits, - or _ (no wildcards)',
          description:
            'MQTT topic prefix: state on <prefix>/v1/state/<code>, events on <prefix>/v1/events/<code>.',
          env: 'TOCSIN_MQTT_TOPIC_PREFIX',
        }),
        discoveryPrefix: Type.String({
          default: 'homeassistant',
          pattern: '^([A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*)?$',
          hint: 'empty, or slash-separated levels of letters, digits, - or _',
          description: 'Home Assistant MQTT discovery prefix; empty turns discovery off.',
          env: 'TOCSIN_MQTT_DISCOVERY_PREFIX',
        }),
        discoveryMaxDepth: Type.Integer({
          default: 1,
          minimum: 0,
          maximum: 10,
          description:
            'Home Assistant sensors for regions down to this tree depth (0 country, 1 oblast, 2 raion, ...): one per region and event type.',
          env: 'TOCSIN_MQTT_DISCOVERY_MAX_DEPTH',
        }),
        clientId: Type.String({
          default: '',
          pattern: '^[A-Za-z0-9_-]{0,64}$',
          hint: 'empty or up to 64 letters, digits, - or _',
          description: 'MQTT client id; empty makes `tocsin-<random>`.',
          env: 'TOCSIN_MQTT_CLIENT_ID',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    webPush: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            'Deliver alerts to Web Push subscriptions (VAPID keys are generated on first start). In a cluster, one node at a time delivers (a PostgreSQL lease).',
          env: 'TOCSIN_WEB_PUSH',
        }),
        subject: Type.String({
          default: 'mailto:tocsin@localhost',
          pattern: '^(mailto:|https://).+$',
          hint: 'a mailto: or https: URL',
          description: 'VAPID subject (RFC 8292 §2.1): how a push service reaches the hub operator.',
          env: 'TOCSIN_WEB_PUSH_SUBJECT',
        }),
        maxSubscriptions: Type.Integer({
          default: 1_000_000,
          minimum: 1,
          description: 'Subscriptions accepted in total; further ones get 503 PUSH_SUBSCRIPTIONS_FULL.',
          env: 'TOCSIN_WEB_PUSH_MAX_SUBSCRIPTIONS',
        }),
        allowInsecureEndpoints: Type.Boolean({
          default: false,
          description:
            'Accept http:// push endpoints and endpoints on loopback or private addresses (tests and labs only: a public hub would be an SSRF relay).',
          env: 'TOCSIN_WEB_PUSH_ALLOW_INSECURE',
        }),
        timeoutMs: Type.Integer({
          default: 10_000,
          minimum: 100,
          maximum: 120_000,
          description: 'Deadline of one request to a push service.',
          env: 'TOCSIN_WEB_PUSH_TIMEOUT_MS',
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
          description:
            'CAP `sender` the hub writes into alerts it composes (CAP 1.2 §3.2.1: no spaces, commas or restricted characters).',
          env: 'TOCSIN_SENDER',
        }),
        timeZone: Type.String({
          default: 'Europe/Kyiv',
          minLength: 1,
          description: 'IANA time zone of the offsets the hub writes into CAP times (`sent`, `expires`).',
          env: 'TOCSIN_TIME_ZONE',
        }),
        twoPersonRule: Type.Boolean({
          default: true,
          description:
            'Hold Actual alerts of severity Extreme or Severe until a second operator (an approver, not the author) approves them.',
          env: 'TOCSIN_TWO_PERSON_RULE',
        }),
        pendingTtlMs: Type.Integer({
          default: 900_000,
          minimum: 10_000,
          maximum: 86_400_000,
          description: 'How long a pending alert waits for approval before it lapses.',
          env: 'TOCSIN_PENDING_TTL_MS',
        }),
        correctionTextUk: Type.String({
          default: 'Сповіщення, надіслане о {time} для: {regions}, було помилковим. Скасовано.',
          minLength: 1,
          maxLength: 1000,
          description:
            'Ukrainian text of the one-action correction (a cancel without a body); {time}, {regions} and {event} are filled in.',
          env: 'TOCSIN_CORRECTION_TEXT_UK',
        }),
        correctionTextEn: Type.String({
          default: 'The alert issued at {time} for {regions} was sent in error.',
          minLength: 1,
          maxLength: 1000,
          description:
            'English text of the one-action correction (also used for other languages); {time}, {regions} and {event} are filled in.',
          env: 'TOCSIN_CORRECTION_TEXT_EN',
        }),
        eventKeysDir: Type.String({
          default: '',
          description:
            'Folder of the Ed25519 event-signing keys (signing-keys.json, made on first start); empty: the data dir. The nodes of a cluster share one folder (a mounted secret) so that all sign with the same key and publish the same JWKS.',
          env: 'TOCSIN_EVENT_KEYS_DIR',
        }),
        xmlSigningKeyFile: Type.String({
          default: '',
          description:
            'PEM private key (RSA or EC P-256) to sign the CAP XML of every issued alert with an enveloped XML-DSig; empty: CAP XML is not signed.',
          env: 'TOCSIN_XML_SIGNING_KEY_FILE',
        }),
        xmlSigningCertFile: Type.String({
          default: '',
          description:
            'PEM certificate of the XML signing key, embedded in each signature; empty: the public key is embedded.',
          env: 'TOCSIN_XML_SIGNING_CERT_FILE',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    auth: Type.Object(
      {
        corsOrigins: Type.String({
          default: '',
          pattern: '^(https?://[^\\s,/]+(,https?://[^\\s,/]+)*)?$',
          hint: 'empty, or comma-separated origins like https://console.example.org',
          description:
            'Origins (besides the hub itself) allowed to call the operator API from a browser (CORS with credentials). None by default; the public read API allows any origin.',
          env: 'TOCSIN_CORS_ORIGINS',
        }),
        sessionIdleMs: Type.Integer({
          default: 1_800_000,
          minimum: 60_000,
          maximum: 86_400_000,
          description: 'A console session ends after this long without a request.',
          env: 'TOCSIN_SESSION_IDLE_MS',
        }),
        sessionMaxMs: Type.Integer({
          default: 43_200_000,
          minimum: 60_000,
          maximum: 604_800_000,
          description: 'A console session ends this long after login, however active.',
          env: 'TOCSIN_SESSION_MAX_MS',
        }),
        loginTokenTtlMs: Type.Integer({
          default: 3_600_000,
          minimum: 60_000,
          maximum: 86_400_000,
          description: 'Lifetime of the bearer token POST /v1/session {"as":"token"} hands out.',
          env: 'TOCSIN_LOGIN_TOKEN_TTL_MS',
        }),
        loginMaxFailures: Type.Integer({
          default: 5,
          minimum: 1,
          maximum: 1000,
          description: 'Failed logins for one name (within loginLockMs) that lock it for loginLockMs.',
          env: 'TOCSIN_LOGIN_MAX_FAILURES',
        }),
        loginIpMaxFailures: Type.Integer({
          default: 20,
          minimum: 1,
          maximum: 100_000,
          description: 'Failed logins from one client address (within loginLockMs) that lock the address.',
          env: 'TOCSIN_LOGIN_IP_MAX_FAILURES',
        }),
        loginLockMs: Type.Integer({
          default: 900_000,
          minimum: 1_000,
          maximum: 86_400_000,
          description: 'How long a name or address stays locked after too many failed logins.',
          env: 'TOCSIN_LOGIN_LOCK_MS',
        }),
        tokenRatePerSecond: Type.Number({
          default: 50,
          minimum: 0.01,
          maximum: 1_000_000,
          description:
            'Sustained requests per second allowed per token or session (token bucket, per node); beyond it 429 with Retry-After.',
          env: 'TOCSIN_TOKEN_RATE_PER_SECOND',
        }),
        tokenBurst: Type.Integer({
          default: 200,
          minimum: 1,
          maximum: 10_000_000,
          description: 'Requests per token or session allowed in a burst (the bucket size).',
          env: 'TOCSIN_TOKEN_BURST',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    streams: Type.Object(
      {
        heartbeatMs: Type.Integer({
          default: 15_000,
          minimum: 1_000,
          maximum: 300_000,
          description:
            'Interval of the signed heartbeat on every stream; a client that misses two knows its line is dead.',
          env: 'TOCSIN_STREAM_HEARTBEAT_MS',
        }),
        maxQueueBytes: Type.Integer({
          default: 1024 * 1024,
          minimum: 16 * 1024,
          maximum: 64 * 1024 * 1024,
          description: 'Bytes a stream may have queued before it is closed as too slow (it resumes by seq).',
          env: 'TOCSIN_STREAM_MAX_QUEUE_BYTES',
        }),
        maxConnections: Type.Integer({
          default: 18_000,
          minimum: 1,
          maximum: 1_000_000,
          description: 'Streams one process holds at most (each worker with --workers); beyond it 503.',
          env: 'TOCSIN_STREAM_MAX_CONNECTIONS',
        }),
        maxConnectionsPerIp: Type.Integer({
          default: 1_000,
          minimum: 1,
          maximum: 1_000_000,
          description: 'Streams one client address holds at most per process; beyond it 429.',
          env: 'TOCSIN_STREAM_MAX_CONNECTIONS_PER_IP',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    webhooks: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            "Deliver events to registered webhooks. Off: the channel's cursor stays where it is and delivery resumes from it when turned on again.",
          env: 'TOCSIN_WEBHOOKS_ENABLED',
        }),
        allowPrivateTargets: Type.Boolean({
          default: false,
          description:
            'Allow webhook URLs resolving to loopback, private, link-local, CGNAT, multicast or metadata addresses (labs and tests only: a public hub would be an SSRF relay).',
          env: 'TOCSIN_WEBHOOKS_ALLOW_PRIVATE_TARGETS',
        }),
        allowCidrs: Type.String({
          default: '',
          pattern: '^[0-9A-Fa-f:./, ]*$',
          hint: 'empty, or comma-separated CIDRs like 10.20.0.0/16,fd12::/64',
          description:
            'Address ranges allowed as webhook targets even though they are private (e.g. a receiver on the LAN).',
          env: 'TOCSIN_WEBHOOKS_ALLOW_CIDRS',
        }),
        timeoutMs: Type.Integer({
          default: 10_000,
          minimum: 100,
          maximum: 120_000,
          description: 'Deadline of one delivery attempt (connect, send, response headers and body).',
          env: 'TOCSIN_WEBHOOKS_TIMEOUT_MS',
        }),
        responseLimitBytes: Type.Integer({
          default: 4096,
          minimum: 0,
          maximum: 1_048_576,
          description:
            "At most this much of a receiver's response is read (kept in the delivery log on failure).",
          env: 'TOCSIN_WEBHOOKS_RESPONSE_LIMIT_BYTES',
        }),
        concurrency: Type.Integer({
          default: 64,
          minimum: 1,
          maximum: 10_000,
          description:
            'Delivery attempts in flight at once, each to a different webhook (one per webhook keeps order).',
          env: 'TOCSIN_WEBHOOKS_CONCURRENCY',
        }),
        retryBaseMs: Type.Integer({
          default: 1_000,
          minimum: 1,
          maximum: 3_600_000,
          description: 'Backoff before the first retry; doubles per attempt, with full jitter.',
          env: 'TOCSIN_WEBHOOKS_RETRY_BASE_MS',
        }),
        retryMaxDelayMs: Type.Integer({
          default: 3_600_000,
          minimum: 1,
          maximum: 86_400_000,
          description: 'Largest backoff between two attempts (before jitter).',
          env: 'TOCSIN_WEBHOOKS_RETRY_MAX_DELAY_MS',
        }),
        maxAgeMs: Type.Integer({
          default: 86_400_000,
          minimum: 100,
          maximum: 604_800_000,
          description:
            'A delivery still failing this long after it was queued is dead-lettered (redeliver puts it back).',
          env: 'TOCSIN_WEBHOOKS_MAX_AGE_MS',
        }),
        maxWebhooks: Type.Integer({
          default: 10_000,
          minimum: 1,
          maximum: 1_000_000,
          description: 'Webhooks the hub accepts in total.',
          env: 'TOCSIN_WEBHOOKS_MAX',
        }),
        shutdownFlushMs: Type.Integer({
          default: 3_000,
          minimum: 0,
          maximum: 60_000,
          description:
            'At shutdown, attempts in flight get this long to finish; the rest are aborted and stay queued.',
          env: 'TOCSIN_WEBHOOKS_SHUTDOWN_FLUSH_MS',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** Where the event-signing keys live: `alerts.eventKeysDir`, else the data dir. */
export function eventKeysDir(config: Config): string {
  return config.alerts.eventKeysDir === '' ? config.dataDir : config.alerts.eventKeysDir;
}
