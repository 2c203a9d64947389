// `GET /v1/stream`: Server-Sent Events (Accept: text/event-stream) and WebSocket (upgrade on the
// same path). Thin: it checks the request, takes a connection slot and hands the socket to the
// hub (src/delivery/stream/hub.ts), which decides what the client hears.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyTypeProvider,
  RawServerDefault,
} from 'fastify';
import { Type } from 'typebox';
import { StreamError } from '../../delivery/stream/errors.ts';
import type { StreamHub } from '../../delivery/stream/hub.ts';
import { parseSubscription } from '../../delivery/stream/query.ts';
import { openSse } from '../../delivery/stream/sse.ts';
import type { StreamTree } from '../../delivery/stream/types.ts';
import { createWsUpgrader } from '../../delivery/stream/ws.ts';

const QUERY_SCHEMA = Type.Object(
  {
    regions: Type.Optional(
      Type.String({
        description: 'Region codes, comma-separated; also hears their ancestors and descendants',
      }),
    ),
    lat: Type.Optional(
      Type.String({
        description: 'Latitude (WGS 84); with lon, subscribes to the deepest region at the point',
      }),
    ),
    lon: Type.Optional(Type.String({ description: 'Longitude (WGS 84)' })),
    since: Type.Optional(
      Type.String({ description: 'Resume after this seq (the Last-Event-ID header wins)' }),
    ),
    format: Type.Optional(
      Type.String({
        description: 'json (default): signed events; compact: one A/P/N line per region and change',
      }),
    ),
    exercises: Type.Optional(
      Type.String({ description: 'include (default) or exclude Exercise and Test alerts' }),
    ),
  },
  { additionalProperties: true },
);

function rawQuery(url: string | undefined): string {
  const at = url?.indexOf('?') ?? -1;
  return at < 0 || url === undefined ? '' : url.slice(at + 1);
}

function pathOf(url: string | undefined): string {
  const at = url?.indexOf('?') ?? -1;
  return at < 0 ? (url ?? '') : (url as string).slice(0, at);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The Fastify plugin for the SSE side of `GET /v1/stream`. */
export function streamRoutes(hub: StreamHub, tree: StreamTree): FastifyPluginAsync {
  return async (app) => {
    app.get(
      hub.options.path,
      {
        // The schema documents the query; parseSubscription checks it, with the stream's codes.
        attachValidation: true,
        schema: {
          summary: 'Live events (SSE, or WebSocket upgrade on the same path)',
          description:
            'On connect a signed `snapshot` of the subscribed regions, then every event with its `seq`; ' +
            'resume with `since` or `Last-Event-ID` (a `reset` with a fresh snapshot when the log no longer reaches back); ' +
            'a signed `heartbeat` every few seconds. See docs/streams.md.',
          tags: ['streams'],
          querystring: QUERY_SCHEMA,
        },
      },
      async (request, reply) => {
        try {
          const accept = request.headers.accept ?? '';
          if (!accept.includes('text/event-stream')) {
            throw new StreamError(
              'STREAM_NOT_ACCEPTABLE',
              'ask for Server-Sent Events (Accept: text/event-stream) or upgrade to a WebSocket',
            );
          }
          const spec = parseSubscription(
            rawQuery(request.raw.url),
            headerText(request.headers['last-event-id']),
            tree,
            hub.options,
          );
          const socket = request.raw.socket;
          hub.limits.acquire(socket.remoteAddress ?? 'unknown');
          const extra: Record<string, string> = {};
          for (const [name, value] of Object.entries(reply.getHeaders())) {
            if (typeof value === 'string' || typeof value === 'number') extra[name] = String(value);
          }
          reply.hijack();
          void hub.open(openSse(socket, extra, hub.options.maxQueueBytes), spec);
        } catch (error) {
          if (!(error instanceof StreamError)) throw error;
          return reply.code(error.status).header('cache-control', 'no-store').send(error.body());
        }
      },
    );
  };
}

/** Answers a refused upgrade in plain HTTP, with the same JSON body as an SSE refusal. */
function refuseUpgrade(socket: Duplex, error: StreamError): void {
  const body = JSON.stringify(error.body());
  const reason = {
    400: 'Bad Request',
    404: 'Not Found',
    414: 'URI Too Long',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  }[error.status];
  socket.end(
    `HTTP/1.1 ${error.status} ${reason ?? 'Error'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\nconnection: close\r\n\r\n' +
      body,
  );
}

/** The Node server's `upgrade` listener for WebSocket streams. */
export function streamUpgradeHandler(
  hub: StreamHub,
  tree: StreamTree,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const upgrader = createWsUpgrader(hub.options.maxQueueBytes);
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request.url) !== hub.options.path) {
      refuseUpgrade(
        socket,
        new StreamError('STREAM_BAD_QUERY', `WebSocket upgrades are served on ${hub.options.path} only`),
      );
      return;
    }
    let ip: string;
    let spec: ReturnType<typeof parseSubscription>;
    try {
      spec = parseSubscription(
        rawQuery(request.url),
        headerText(request.headers['last-event-id']),
        tree,
        hub.options,
      );
      ip = request.socket.remoteAddress ?? 'unknown';
      hub.limits.acquire(ip);
    } catch (error) {
      if (error instanceof StreamError) refuseUpgrade(socket, error);
      else socket.destroy();
      return;
    }
    void upgrader.upgrade(request, socket, head).then((sink) => {
      if (sink) void hub.open(sink, spec);
      else hub.limits.release(ip);
    });
  };
}

/**
 * Wires the streams into an app: the SSE route, the WebSocket upgrade listener on `app.server`,
 * the hub started when the app is ready and stopped (every stream closed) before it closes.
 */
export async function attachStreams<Logger extends FastifyBaseLogger, Provider extends FastifyTypeProvider>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger, Provider>,
  hub: StreamHub,
  tree: StreamTree,
): Promise<void> {
  await app.register(streamRoutes(hub, tree));
  app.server.on('upgrade', streamUpgradeHandler(hub, tree));
  app.addHook('onReady', async () => hub.start());
  app.addHook('preClose', async () => hub.stop());
}
