// Durability of the alert commits without holding the event loop: a batch is committed with
// synchronous=NORMAL (its WAL frames written, not flushed), then `sync()` flushes the WAL file
// with fsync(2) on libuv's thread pool while the loop goes on with the next requests. fsync
// flushes every written page of the file, whichever descriptor wrote it, so once a sync that
// started after a commit returned has completed, that commit is on disk exactly as with
// synchronous=FULL. Callers acknowledge (201) only then.
import { closeSync, fstatSync, fsync, openSync, statSync } from 'node:fs';

export interface WalSync {
  /** Resolves once everything written to the WAL before this call is on disk. One runs at a time. */
  sync(): Promise<void>;
  /** True while an fsync runs. */
  busy(): boolean;
  /** Resolves when no sync is running (for close). */
  idle(): Promise<void>;
  close(): void;
}

export function createWalSync(walPath: string): WalSync {
  let fd: number | undefined;
  let running: Promise<void> | undefined;

  /** The WAL's descriptor; reopened if SQLite replaced the file (another process's last close). */
  const descriptor = (): number => {
    if (fd !== undefined && fstatSync(fd).ino === statSync(walPath).ino) return fd;
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    fd = openSync(walPath, 'r');
    return fd;
  };

  return {
    sync() {
      if (running) return Promise.reject(new Error('a WAL sync is already running'));
      let target: number;
      try {
        target = descriptor();
      } catch (error) {
        return Promise.reject(error);
      }
      const done = new Promise<void>((resolve, reject) => {
        fsync(target, (error) => {
          running = undefined;
          if (error) reject(error);
          else resolve();
        });
      });
      running = done.catch(() => {});
      return done;
    },
    busy: () => running !== undefined,
    async idle() {
      while (running) await running;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
