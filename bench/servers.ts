// The servers bench/fanout.ts and bench/api.ts start, each on its own loopback port (never the
// machine's services on 1883/4222/8080), each stopped by its PID: Tocsin (`tocsin serve`, from
// the sources), Mosquitto (Debian package) and nats-server (Debian package).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Child, freePort, processTree, startChild } from './proc.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli/run.ts')];

export interface RunningServer {
  port: number;
  /** Every process of the server now (a cluster primary and its workers). */
  pids(): number[];
  stop(): Promise<void>;
}

export interface TocsinServer extends RunningServer {
  url: string;
  token: string;
  dataDir: string;
}

/** Waits until something accepts on the port: bounded by `timeoutMs`, 50 ms between tries. */
async function acceptsOn(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

export interface TocsinOptions {
  workers?: number;
  env?: NodeJS.ProcessEnv;
  databaseUrl?: string;
}

/** `tocsin serve` on a fresh data dir and a free port, with an admin token over UA. */
export async function startTocsin(options: TocsinOptions = {}): Promise<TocsinServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-'));
  const env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    // The benchmark client is one token issuing as fast as it can.
    TOCSIN_TOKEN_RATE_PER_SECOND: '1000000',
    TOCSIN_TOKEN_BURST: '10000000',
    TOCSIN_TWO_PERSON_RULE: 'false',
    DATABASE_URL: options.databaseUrl ?? '',
    ...options.env,
  };
  const [node, ...prefix] = CLI as [string, ...string[]];
  const mint = startChild(
    node,
    [
      ...prefix,
      'token',
      'create',
      '--role',
      'admin',
      '--jurisdiction',
      'UA',
      '--data-dir',
      dataDir,
      '--json',
    ],
    { env, cwd: REPO_ROOT },
  );
  if ((await mint.exited) !== 0) throw new Error(`tocsin token create failed: ${mint.stderr()}`);
  const token = (JSON.parse(mint.stdout()) as { token: string }).token;
  const port = await freePort();
  const serve = startChild(
    node,
    [
      ...prefix,
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--workers',
      String(options.workers ?? 1),
    ],
    { env, cwd: REPO_ROOT },
  );
  await serve.line(/tocsin listening on (http:\/\/\S+)/, 120_000);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    token,
    dataDir,
    pids: () => processTree(serve.pid),
    async stop() {
      await serve.stop(15_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function simple(child: Child, port: number, cleanup: () => void = () => {}): RunningServer {
  return {
    port,
    pids: () => [child.pid],
    async stop() {
      await child.stop();
      cleanup();
    },
  };
}

/** Mosquitto 2 (Debian) on loopback, no persistence, as notes/performance.md §7 configures it. */
export async function startMosquitto(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-mqtt-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'set_tcp_nodelay true',
      'max_queued_messages 10000',
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );
  const child = startChild('/usr/sbin/mosquitto', ['-c', conf]);
  await acceptsOn(port, 20_000);
  return simple(child, port, () => rmSync(dir, { recursive: true, force: true }));
}

/** nats-server (Debian), core NATS on loopback. */
export async function startNats(): Promise<RunningServer> {
  const port = await freePort();
  const child = startChild('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port)]);
  await acceptsOn(port, 20_000);
  return simple(child, port);
}

/** nginx (Debian) serving one static file from a temp dir, for bench/api.ts's baseline. */
export async function startNginx(file: {
  name: string;
  body: string;
}): Promise<RunningServer & { url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-nginx-'));
  const port = await freePort();
  writeFileSync(join(dir, file.name), file.body);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      'worker_processes auto;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      '  keepalive_requests 1000000;',
      '  etag on;',
      `  server { listen 127.0.0.1:${port}; root ${dir}; default_type application/json; }`,
      '}',
      '',
    ].join('\n'),
  );
  const child = startChild('/usr/sbin/nginx', ['-c', conf, '-p', dir]);
  await acceptsOn(port, 20_000);
  return {
    port,
    url: `http://127.0.0.1:${port}/${file.name}`,
    pids: () => processTree(child.pid),
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** node:http serving `body` to every request (bench/node-static.ts): the floor for a Node server. */
export async function startNodeStatic(body: string): Promise<RunningServer & { url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-node-'));
  const file = join(dir, 'body');
  writeFileSync(file, body);
  const port = await freePort();
  const child = startChild(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/node-static.ts'), String(port), file],
    { cwd: REPO_ROOT },
  );
  await acceptsOn(port, 20_000);
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    pids: () => processTree(child.pid),
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
