// A local HTTP server on 127.0.0.1 serving CAP feeds and messages, with ETag / Last-Modified and
// (unless told not to) conditional GET, recording every request it answered.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  body: string;
  type?: string;
  /** Answer conditionals with 304 (default true). */
  conditional?: boolean;
  status?: number;
}

export interface FeedServer {
  url: string;
  /** Sets (or replaces) what a path serves; a new body gets a new ETag and Last-Modified. */
  serve(path: string, served: Served): void;
  requests: { path: string; headers: IncomingHttpHeaders; status: number }[];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Served & { etag: string; lastModified: string }>();
  const requests: FeedServer['requests'] = [];
  let version = 0;
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    const route = routes.get(path);
    const answer = (status: number, headers: Record<string, string> = {}, body = '') => {
      requests.push({ path, headers: request.headers, status });
      response.writeHead(status, headers).end(body);
    };
    if (!route) return answer(404);
    if (route.status !== undefined && route.status !== 200) return answer(route.status);
    const validators = { etag: route.etag, 'last-modified': route.lastModified };
    if (route.conditional !== false) {
      const inm = request.headers['if-none-match'];
      const ims = request.headers['if-modified-since'];
      if ((inm !== undefined && inm === route.etag) || (inm === undefined && ims === route.lastModified))
        return answer(304, validators);
    }
    answer(
      200,
      { 'content-type': route.type ?? 'application/atom+xml; charset=utf-8', ...validators },
      route.body,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(path, served) {
      version += 1;
      // Distinct seconds per version, so Last-Modified alone also tells versions apart.
      routes.set(path, {
        ...served,
        etag: `"v${version}"`,
        lastModified: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toUTCString(),
      });
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
