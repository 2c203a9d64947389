// The JSON body parser: Fastify's own (secure-json-parse: `__proto__` / `constructor` keys are
// refused) plus a nesting limit. Deeply nested input parses fine but would overflow the stack of
// any recursive walk after it (canonicalisation, validation), so it is refused at the boundary.
import type { FastifyInstance } from 'fastify';

/** CAP JSON needs 8 levels (alert → info → area → polygon → ring → point); 32 leaves room. */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeepError extends Error {
  readonly code = 'JSON_TOO_DEEP';
  readonly statusCode = 400;
  constructor() {
    super(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
    this.name = 'JsonTooDeepError';
  }
}

/** True when `value` nests objects/arrays deeper than `max`; iterative, so any depth is safe to check. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Replaces the application/json parser of `app` with the depth-limited one. */
export function useLimitedJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (error) done(error, undefined);
      else if (nestsDeeperThan(value, MAX_JSON_DEPTH)) done(new JsonTooDeepError(), undefined);
      else done(null, value);
    });
  });
}
