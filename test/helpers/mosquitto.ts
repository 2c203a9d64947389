// A Mosquitto broker of a test's own, on a free loopback port, with persistence in a temp dir so a
// restart keeps retained messages and persistent sessions (as a production broker would). Never the
// machine's shared broker: tests stop and start this one by PID. Ready = it logged "running" AND
// answered an MQTT CONNECT: a SIGTERM sent right after the log line alone was sometimes ignored
// (1 in ~10 on this machine), leaving `stop()` waiting forever.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';

export interface TestBroker {
  url: string;
  port: number;
  /** Stops the broker (SIGTERM: it saves its persistence file) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it listens. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

export async function startTestBroker(): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn('mosquitto', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        log += chunk.toString('utf8');
        if (/running/.test(log)) {
          proc.stderr?.off('data', onData);
          proc.stderr?.resume();
          resolve();
        }
      };
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) =>
        reject(new Error(`mosquitto exited (${code}) before it listened:\n${log}`)),
      );
      proc.once('error', reject);
    });
    const probe = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    await probe.endAsync();
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
