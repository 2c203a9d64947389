// One held connection, as the hub sees it: pre-framed bytes go straight to the TCP socket,
// with a bound on what may wait in user space. A subscriber that falls behind is closed with a
// reason and resumes by seq; it never slows the others (issue 6 §3).
import type { Socket } from 'node:net';

export type EndReason = 'overflow' | 'shutdown';
export type CloseCause = EndReason | 'client';

export interface StreamSink {
  readonly transport: 'sse' | 'ws';
  readonly ip: string;
  readonly closed: boolean;
  /**
   * Writes one frame; false when it was not written: the connection is closed, or the frame
   * would take the queue past its bound (the caller then ends it as `overflow`).
   */
  write(frame: Buffer): boolean;
  /** Writes several frames with one syscall (cork/uncork → writev); false as for `write`. */
  writeMany(frames: readonly Buffer[]): boolean;
  /** Bytes waiting in user space. */
  queuedBytes(): number;
  /** Resolves when the queue has drained or the connection closed. */
  drained(): Promise<void>;
  /** Sends the transport's last word (SSE `overflow` event, WS close frame) and closes. */
  end(reason: EndReason, lastSeq: number): void;
  onClose(listener: (cause: CloseCause) => void): void;
}

/** How a transport says goodbye; called once, with the socket still writable. */
export type Farewell = (socket: Socket, reason: EndReason, lastSeq: number) => void;

/** A closed socket that never read its last bytes is destroyed after this long. */
const FAREWELL_GRACE_MS = 2_000;

export function createSocketSink(
  socket: Socket,
  transport: 'sse' | 'ws',
  maxQueueBytes: number,
  farewell: Farewell,
): StreamSink {
  let closed = false;
  let cause: CloseCause = 'client';
  const listeners: ((cause: CloseCause) => void)[] = [];
  const ip = socket.remoteAddress ?? 'unknown';

  socket.once('close', () => {
    closed = true;
    for (const listener of listeners) listener(cause);
    listeners.length = 0;
  });
  socket.on('error', () => {
    // A reset by the peer: 'close' follows and unregisters the subscriber.
  });

  const sink: StreamSink = {
    transport,
    ip,
    get closed() {
      return closed || socket.destroyed;
    },
    write(frame) {
      if (sink.closed) return false;
      // An empty queue takes any frame, so one event larger than the bound still gets through.
      const queued = socket.writableLength;
      if (queued > 0 && queued + frame.length > maxQueueBytes) return false;
      socket.write(frame);
      return true;
    },
    writeMany(frames) {
      if (frames.length === 1) return sink.write(frames[0] as Buffer);
      if (sink.closed) return false;
      const queued = socket.writableLength;
      let bytes = queued;
      for (const frame of frames) bytes += frame.length;
      if (queued > 0 && bytes > maxQueueBytes) return false;
      socket.cork();
      for (const frame of frames) socket.write(frame);
      socket.uncork();
      return true;
    },
    queuedBytes() {
      return socket.writableLength;
    },
    drained() {
      if (sink.closed || socket.writableLength === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    },
    end(reason, lastSeq) {
      if (sink.closed || cause !== 'client') return;
      cause = reason;
      farewell(socket, reason, lastSeq);
      // A peer that stopped reading never takes the last bytes: do not hold its socket for ever.
      setTimeout(() => socket.destroy(), FAREWELL_GRACE_MS).unref();
    },
    onClose(listener) {
      if (closed) listener(cause);
      else listeners.push(listener);
    },
  };
  return sink;
}
