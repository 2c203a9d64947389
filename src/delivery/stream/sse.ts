// Server-Sent Events on the raw socket: the response head once, then pre-framed bytes written
// straight to the socket (notes/performance.md §3.2: 159–167k deliveries per CPU-s against
// 84–93k through ServerResponse.write). The body is delimited by the connection's close
// (RFC 9112 §6.3), so frames need no chunk headers and several can share one write.
import type { Socket } from 'node:net';
import type { EndReason, StreamSink } from './connection.ts';
import { createSocketSink } from './connection.ts';
import { sseFrame } from './frames.ts';

/**
 * What EventSource should wait before reconnecting (HTML §9.2.6 `retry`): 1–3 s, drawn per
 * connection. EventSource waits exactly that long, without jitter of its own, so one fixed value
 * would bring every subscriber of a restarted hub back in the same instant.
 */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_SPREAD_MS = 2_000;

const BASE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
  'access-control-allow-origin': '*',
  connection: 'close',
};

/** Writes the response head and returns the stream; `extraHeaders` come from earlier hooks. */
export function openSse(
  socket: Socket,
  extraHeaders: Record<string, string>,
  maxQueueBytes: number,
): StreamSink {
  socket.setNoDelay(true);
  socket.setTimeout(0);
  const headers = { ...extraHeaders, ...BASE_HEADERS };
  let head = 'HTTP/1.1 200 OK\r\n';
  for (const [name, value] of Object.entries(headers)) {
    if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !/[\r\n]/.test(value)) head += `${name}: ${value}\r\n`;
  }
  const retry = RECONNECT_MIN_MS + Math.floor(Math.random() * RECONNECT_SPREAD_MS);
  socket.write(`${head}\r\nretry: ${retry}\n\n`);
  return createSocketSink(socket, 'sse', maxQueueBytes, farewell);
}

function farewell(socket: Socket, reason: EndReason, lastSeq: number): void {
  socket.end(sseFrame(reason, JSON.stringify({ type: reason, seq: lastSeq })));
}
