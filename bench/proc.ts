// Helpers the benchmarks share: CPU time and RSS from /proc, a process's descendants, a free
// loopback port, percentiles, and stopping what a benchmark started by its PID.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** User + system CPU seconds of one process (0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size of one process in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The process and all its descendants (cluster workers), read from /proc/PID/task/TID/children. */
export function processTree(pid: number, depth = 0): number[] {
  const out = [pid];
  if (depth > 4) return out;
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children.split(/\s+/).filter(Boolean))
      out.push(...processTree(Number(child), depth + 1));
  } catch {
    // gone
  }
  return out;
}

export const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at] as number;
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child that can be awaited, with its output collected and a line listener. */
export interface Child {
  proc: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching, rejects if the child exits first or time runs out. */
  line(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(command: string, args: string[], options: SpawnOptions = {}): Child {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const watch of [...watchers]) watch();
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const watch of [...watchers]) watch();
  });
  return {
    proc,
    pid: proc.pid as number,
    stdout: () => out,
    stderr: () => err,
    exited,
    line(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${pattern} from ${command}\n${err.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(out);
          if (match) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve(match);
          } else if (done) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(
              new Error(`${command} exited before ${pattern}\n${out.slice(-1000)}\n${err.slice(-2000)}`),
            );
          }
        };
        watchers.add(check);
        check();
      });
    },
    async stop(graceMs = 5_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
