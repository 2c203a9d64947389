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
export type Farewell = (socket: Socket, reason: EndReason, lastSeq: number, peer: unknown) => void;

/** A closed socket that never read its last bytes is destroyed after this long. */
const FAREWELL_GRACE_MS = 2_000;

const SINK = Symbol('tocsin.streamSink');
type SinkSocket = Socket & { [SINK]?: SocketSink | undefined };

// One object per connection and no closures: at 16,000 idle connections per process every
// closure and its context count (a heap snapshot showed ~0.5 KiB per connection for them).
function onSocketClose(this: SinkSocket): void {
  this[SINK]?.socketClosed();
}

function onSocketError(): void {
  // A reset by the peer: 'close' follows and unregisters the subscriber.
}

class SocketSink implements StreamSink {
  readonly transport: 'sse' | 'ws';
  readonly ip: string;
  private readonly socket: SinkSocket;
  private readonly maxQueueBytes: number;
  private readonly farewell: Farewell;
  private readonly peer: unknown;
  private cause: CloseCause = 'client';
  private isClosed = false;
  private listeners: ((cause: CloseCause) => void)[] | null = null;

  constructor(
    socket: Socket,
    transport: 'sse' | 'ws',
    maxQueueBytes: number,
    farewell: Farewell,
    peer: unknown,
  ) {
    this.socket = socket;
    this.transport = transport;
    this.ip = socket.remoteAddress ?? 'unknown';
    this.maxQueueBytes = maxQueueBytes;
    this.farewell = farewell;
    this.peer = peer;
    this.socket[SINK] = this;
    socket.once('close', onSocketClose);
    socket.on('error', onSocketError);
  }

  get closed(): boolean {
    return this.isClosed || this.socket.destroyed;
  }

  socketClosed(): void {
    this.isClosed = true;
    this.socket[SINK] = undefined;
    const listeners = this.listeners ?? [];
    this.listeners = null;
    for (const listener of listeners) listener(this.cause);
  }

  write(frame: Buffer): boolean {
    if (this.closed) return false;
    // An empty queue takes any frame, so one event larger than the bound still gets through.
    const queued = this.socket.writableLength;
    if (queued > 0 && queued + frame.length > this.maxQueueBytes) return false;
    this.socket.write(frame);
    return true;
  }

  writeMany(frames: readonly Buffer[]): boolean {
    if (frames.length === 1) return this.write(frames[0] as Buffer);
    if (this.closed) return false;
    const queued = this.socket.writableLength;
    let bytes = queued;
    for (const frame of frames) bytes += frame.length;
    if (queued > 0 && bytes > this.maxQueueBytes) return false;
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
    return true;
  }

  queuedBytes(): number {
    return this.socket.writableLength;
  }

  drained(): Promise<void> {
    const socket = this.socket;
    if (this.closed || socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  end(reason: EndReason, lastSeq: number): void {
    if (this.closed || this.cause !== 'client') return;
    this.cause = reason;
    this.farewell(this.socket, reason, lastSeq, this.peer);
    // A peer that stopped reading never takes the last bytes: do not hold its socket for ever.
    const socket = this.socket;
    setTimeout(() => socket.destroy(), FAREWELL_GRACE_MS).unref();
  }

  onClose(listener: (cause: CloseCause) => void): void {
    if (this.isClosed) {
      listener(this.cause);
      return;
    }
    this.listeners ??= [];
    this.listeners.push(listener);
  }
}

/** A stream over a TCP socket; `peer` is handed to `farewell` (the ws WebSocket, for its close frame). */
export function createSocketSink(
  socket: Socket,
  transport: 'sse' | 'ws',
  maxQueueBytes: number,
  farewell: Farewell,
  peer: unknown = null,
): StreamSink {
  return new SocketSink(socket, transport, maxQueueBytes, farewell, peer);
}
