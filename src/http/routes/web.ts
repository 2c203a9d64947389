// The web app (web/, built by Vite into web/dist): the public live map at `/` and the operator
// console at `/console`. The build is small and fixed while the process runs, so every file is
// read once when the plugin is built and served from memory with a strong ETag. Hashed assets
// are immutable; pages, the service worker and the manifest are revalidated on every load so a
// new build reaches people at once. Pages get a strict CSP: own-origin scripts, styles and
// connections only, no inline code, no framing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** web/dist beside src/ (and beside dist/ once compiled: both sit two levels under the root). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** No inline script or style anywhere; the service worker and the manifest from this origin. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

interface WebFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface WebRouteDeps {
  /** Folder of the Vite build; default web/dist of this checkout. */
  distDir?: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue; // .vite/manifest.json is for the build, not for browsers
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** Every file of the build keyed by URL path; `/` and `/console` name the two pages. */
export function loadWebFiles(distDir: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  if (!existsSync(distDir)) return files;
  for (const path of walk(distDir)) {
    const urlPath = `/${relative(distDir, path).split(sep).join('/')}`;
    const type = TYPES[extname(path)];
    if (type === undefined) continue;
    const body = readFileSync(path);
    files.set(urlPath, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
    });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  const console = files.get('/console.html');
  if (console) files.set('/console', console);
  return files;
}

function fresh(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  return inm?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag) ?? false;
}

const NOT_BUILT_HTML =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Tocsin</title>' +
  '<p>The web app is not built. Run <code>npm run build</code>; the API is at <a href="/docs">/docs</a>.</p></html>';

/** Serves the built web app; without a build, `/` explains how to make one. */
export function webRoutes(deps: WebRouteDeps = {}): FastifyPluginAsync {
  const files = loadWebFiles(deps.distDir ?? DEFAULT_WEB_DIST);
  return async (app) => {
    const serve = (file: WebFile) => async (request: FastifyRequest, reply: FastifyReply) => {
      reply
        .header('etag', file.etag)
        .header('cache-control', file.cacheControl)
        .header('content-security-policy', WEB_CSP);
      if (fresh(request, file.etag)) return reply.code(304).send();
      return reply.type(file.type).send(file.body);
    };
    if (files.size === 0) {
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply
          .code(503)
          .header('content-security-policy', WEB_CSP)
          .type('text/html; charset=utf-8')
          .send(NOT_BUILT_HTML),
      );
      return;
    }
    for (const [path, file] of files) app.get(path, { schema: { hide: true } }, serve(file));
  };
}
