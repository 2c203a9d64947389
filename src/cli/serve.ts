// `tocsin serve`: loads and validates the configuration (flags > environment > file >
// defaults; every problem reported at once, exit 2), starts the hub, prints its URL, and
// shuts down gracefully on SIGTERM / SIGINT (a second signal exits at once).
import { formatViolations, loadConfig } from '../config/load.ts';
import { type Command, EXIT } from './command.ts';
import { parseFlags, stringFlag, UsageError } from './flags.ts';

const help = `Usage: tocsin serve [--port P] [--host H] [--data-dir DIR] [--workers N] [--config FILE]

Runs the hub. With no configuration: SQLite in ./tocsin-data, the in-process bus,
http://127.0.0.1:8080, the default regions of Ukraine.

Options:
  --port P         TCP port (env PORT; 0 picks a free one; default 8080)
  --host H         interface to listen on (env TOCSIN_HOST; default 127.0.0.1)
  --data-dir DIR   SQLite database and signing keys (env TOCSIN_DATA_DIR; default ./tocsin-data)
  --workers N      stream worker processes (env TOCSIN_WORKERS; 0 = one per core, the default;
                   1 = a single process). Workers share the port and hold the live streams;
                   the primary owns the store and the API
  --config FILE    a JSON configuration file ('tocsin config sample' writes one)

Environment: DATABASE_URL=postgres://... (PostgreSQL store), NATS_URL=nats://... (JetStream bus),
MQTT_URL, LOG_LEVEL, and the others listed by 'tocsin config sample'.
Precedence: flags > environment > file > defaults.

Signals: SIGTERM / SIGINT shut down gracefully (a second one exits at once); SIGHUP re-reads
the signing keys after 'tocsin keys rotate'.
Exit codes: 0 after a clean shutdown, 1 on a start-up failure or a shutdown past its deadline,
2 for an invalid configuration or usage error.
`;

const FLAG_SETTINGS = {
  port: 'server.port',
  host: 'server.host',
  'data-dir': 'dataDir',
  workers: 'server.workers',
} as const;

export const command: Command = {
  summary: 'run the hub (HTTP API, store, bus)',
  help,
  async run(args, io) {
    let file: string | undefined;
    const flags: Record<string, { value: string; flag: string }> = {};
    try {
      const parsed = parseFlags(
        args,
        {
          port: { type: 'string' },
          host: { type: 'string' },
          'data-dir': { type: 'string' },
          workers: { type: 'string' },
          config: { type: 'string' },
        },
        0,
      );
      file = stringFlag(parsed, 'config');
      for (const [flag, path] of Object.entries(FLAG_SETTINGS)) {
        const value = stringFlag(parsed, flag);
        if (value !== undefined) flags[path] = { value, flag: `--${flag}` };
      }
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`tocsin serve: ${error.message}\n${help}`);
      return EXIT.usage;
    }
    const result = loadConfig({ env: io.env, flags, ...(file !== undefined ? { file } : {}) });
    if (!result.ok) {
      io.stderr(`tocsin serve: ${formatViolations(result.violations)}`);
      return EXIT.usage;
    }

    // A stream worker of `--workers N` (src/cluster/): forked by the primary with the same
    // arguments, so it loaded the same configuration; the primary handles the signals.
    const cluster = (await import('node:cluster')).default;
    if (cluster.isWorker) {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
      const { runClusterWorker } = await import('../cluster/worker.ts');
      await runClusterWorker(result.config);
      process.exit(EXIT.ok);
    }

    // Loaded here, after the configuration is known good, so a bad config costs nothing.
    const { startHub } = await import('../main.ts');
    const { startClusterPrimary, workerCount } = await import('../cluster/primary.ts');
    const workers = workerCount(result.config.server.workers);
    let hub: Pick<Awaited<ReturnType<typeof startHub>>, 'url' | 'reloadKeys' | 'close'>;
    try {
      hub = workers > 1 ? await startClusterPrimary(result.config, workers) : await startHub(result.config);
    } catch (error) {
      io.stderr(`tocsin serve: cannot start: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    io.stdout(`tocsin listening on ${hub.url}\n`);

    return new Promise<number>((resolve) => {
      let stopping = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          io.stderr(`tocsin serve: second ${signal}, exiting now\n`);
          process.exit(EXIT.failure);
        }
        stopping = true;
        void hub.close().then(({ timedOut }) => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          process.off('SIGHUP', onHup);
          if (timedOut) {
            // Whatever is still open (a stuck request, a store call) would keep the process alive.
            io.stderr('tocsin serve: shutdown deadline passed, exiting\n');
            process.exit(EXIT.failure);
          }
          resolve(EXIT.ok);
        });
      };
      const onHup = () => {
        try {
          hub.reloadKeys();
        } catch (error) {
          io.stderr(`tocsin serve: cannot reload keys: ${(error as Error).message}\n`);
        }
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      process.on('SIGHUP', onHup);
    });
  },
};
