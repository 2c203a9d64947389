// WebSocket streams: the `ws` package does the handshake (noServer, permessage-deflate off) and
// reads what the client sends (pings, close); events skip its per-send work and go to the socket
// as frames built once (frames.ts), as engine.io does with Sender.frame (notes §3.1).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import type { EndReason, StreamSink } from './connection.ts';
import { createSocketSink } from './connection.ts';

/** RFC 6455 §7.4.2: 4000–4999 are ours. 4008: too slow, resume by seq. 1001: going away. */
export const WS_CLOSE = { overflow: 4008, shutdown: 1001 } as const;

/** Clients have nothing to say on a stream; anything larger is refused (close 1009). */
const MAX_CLIENT_MESSAGE_BYTES = 1024;

export interface WsUpgrader {
  /** Completes the handshake; resolves to the stream, or to null if the handshake failed. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<StreamSink | null>;
}

export function createWsUpgrader(maxQueueBytes: number): WsUpgrader {
  const server = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: MAX_CLIENT_MESSAGE_BYTES,
  });
  return {
    upgrade(request, duplex, head) {
      const socket = duplex as Socket;
      return new Promise((resolve) => {
        // ws answers a bad handshake itself and destroys the socket without calling back.
        const failed = () => resolve(null);
        socket.once('close', failed);
        server.handleUpgrade(request, socket, head, (ws) => {
          socket.off('close', failed);
          resolve(streamOf(ws, socket, maxQueueBytes));
        });
      });
    },
  };
}

// Outside the upgrade's closures on purpose: a listener created there would keep the upgrade
// request (headers and all) alive for the whole life of the connection (seen in a heap snapshot).
function streamOf(ws: WebSocket, socket: Socket, maxQueueBytes: number): StreamSink {
  ws.on('error', ignore);
  return createSocketSink(socket, 'ws', maxQueueBytes, farewell, ws);
}

function ignore(): void {
  // Protocol errors from the client: ws closes the socket, and the sink sees 'close'.
}

function farewell(_socket: Socket, reason: EndReason, lastSeq: number, peer: unknown): void {
  const text =
    reason === 'overflow' ? `overflow: too slow; resume with since=${lastSeq}` : 'server shutting down';
  (peer as WebSocket).close(WS_CLOSE[reason], text);
}
