// /v1/regions...: the region tree, one region, point lookups and map shapes. The tree never
// changes while the process runs, so every body is serialised once (lists and regions when the
// plugin is built, shapes on first request) with a strong ETag; a request then costs a header
// comparison and a write of ready bytes.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { TocsinError } from '../../alerts/errors.ts';
import type { Detail } from '../../geo/shapes.ts';
import { buildShapes, DEFAULT_DETAIL, DETAILS } from '../../geo/shapes.ts';
import type { Region, RegionTree } from '../../geo/types.ts';
import { errorBody, HTTP_ERROR_CODES, logInternal, toHttpError } from '../errors.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

/** Lists and shapes change only with a restart; clients revalidate with the ETag after this. */
const CACHE_CONTROL = 'public, max-age=3600, must-revalidate';

export interface RegionRouteDeps {
  tree: RegionTree;
  /** Shown with every map shape (the default data's licence asks for it). */
  attribution?: string;
}

interface Prepared {
  body: string;
  etag: string;
  type: string;
}

const RegionSummarySchema = Type.Object({
  code: Type.String({ description: 'ISO 3166-2 at the first level (UA-59), any scheme below.' }),
  parent: Type.Union([Type.String(), Type.Null()]),
  level: Type.String(),
  depth: Type.Integer({ minimum: 0 }),
  names: Type.Record(Type.String(), Type.String(), { description: 'Names by language tag (uk, en, ...).' }),
  ids: Type.Record(Type.String(), Type.String(), {
    description: 'Other systems’ ids (alerts_in_ua, ukrainealarm, ...).',
  }),
});

const RegionListSchema = Type.Object({
  regions: Type.Array(Type.Object({}, { additionalProperties: true }), {
    description: 'Regions, parents first; with format=tree, roots each carrying `children`.',
  }),
});

const RegionDetailSchema = Type.Object({
  region: RegionSummarySchema,
  ancestors: Type.Array(RegionSummarySchema, { description: 'Root first.' }),
  children: Type.Array(RegionSummarySchema),
});

const LookupSchema = Type.Object({
  lat: Type.Number(),
  lon: Type.Number(),
  regions: Type.Array(RegionSummarySchema, {
    description: 'The chain holding the point, root first; empty outside every region.',
  }),
});

const NOT_MODIFIED = { 304: Type.Null({ description: 'Not modified (If-None-Match)' }) };

type RegionSummary = Static<typeof RegionSummarySchema>;

function summary(region: Region): RegionSummary {
  return {
    code: region.code,
    parent: region.parent,
    level: region.level,
    depth: region.depth,
    names: region.names,
    ids: region.ids ?? {},
  };
}

function prepare(value: unknown, type = 'application/json; charset=utf-8'): Prepared {
  const body = JSON.stringify(value);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** True when the client's copy is current (RFC 9110 §13.1.2; weak comparison for GET). */
function fresh(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  if (inm === undefined) return false;
  return inm.trim() === '*' || inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function send(request: FastifyRequest, reply: FastifyReply, prepared: Prepared): FastifyReply {
  reply
    .header('etag', prepared.etag)
    .header('cache-control', CACHE_CONTROL)
    .header('access-control-allow-origin', '*');
  if (fresh(request, prepared.etag)) return reply.code(304).send();
  return reply.type(prepared.type).send(prepared.body);
}

/** Builds the plugin; the bodies are serialised here, once. */
export function regionRoutes(deps: RegionRouteDeps): FastifyPluginAsyncTypebox {
  const { tree, attribution } = deps;
  const all = tree.all();
  const levels = tree.levels();
  const shapeLevels = levels.filter((level) => all.some((r) => r.level === level && r.geometry));
  const defaultShapeLevel = shapeLevels[0] ?? levels[0] ?? '';

  const list = new Map<string, Prepared>();
  list.set('list:', prepare({ regions: all.map(summary) }));
  list.set('tree:', prepare({ regions: nest(tree, Infinity) }));
  levels.forEach((level, depth) => {
    list.set(`list:${level}`, prepare({ regions: all.filter((r) => r.level === level).map(summary) }));
    list.set(`tree:${level}`, prepare({ regions: nest(tree, depth) }));
  });
  const one = new Map<string, Prepared>();
  for (const region of all) {
    one.set(
      region.code,
      prepare({
        region: summary(region),
        ancestors: tree.ancestors(region.code).map(summary),
        children: tree.children(region.code).map(summary),
      }),
    );
  }
  const shapes = new Map<string, { geojson: Prepared; topojson: Prepared }>();
  const shapesOf = (level: string, detail: Detail) => {
    const key = `${level}:${detail}`;
    let found = shapes.get(key);
    if (!found) {
      const built = buildShapes(
        all.filter((r) => r.level === level),
        detail,
        attribution,
      );
      found = {
        geojson: prepare(built.geojson, 'application/geo+json'),
        topojson: prepare(built.topology, 'application/json; charset=utf-8'),
      };
      shapes.set(key, found);
    }
    return found;
  };

  const LevelSchema = Type.Enum(levels.length > 0 ? levels : [''], {
    description: `A level name: ${levels.join(', ')}.`,
  });
  const ShapeQuery = Type.Object(
    {
      level: Type.Optional(
        Type.Enum(shapeLevels.length > 0 ? shapeLevels : [''], {
          description: `Default ${defaultShapeLevel}.`,
        }),
      ),
      detail: Type.Optional(
        Type.Enum(Object.keys(DETAILS) as Detail[], { description: `Default ${DEFAULT_DETAIL}.` }),
      ),
    },
    { additionalProperties: false },
  );

  return async (app) => {
    // The hub's one error mapping (src/http/errors.ts), also when the plugin runs on its own.
    app.setErrorHandler((error, request, reply) => {
      const mapped = toHttpError(error, request.id);
      if (mapped.internal)
        logInternal(request.log, error, { reqId: request.id, method: request.method, url: request.url });
      return reply.code(mapped.status).send(mapped.body);
    });

    app.get(
      '/v1/regions',
      {
        schema: {
          tags: ['regions'],
          summary: 'Every region (or one level), as a list or as a tree (ETag, 304)',
          querystring: Type.Object(
            { level: Type.Optional(LevelSchema), format: Type.Optional(Type.Enum(['list', 'tree'])) },
            { additionalProperties: false },
          ),
          response: { 200: RegionListSchema, ...NOT_MODIFIED, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { level = '', format = 'list' } = request.query;
        return send(request, reply, list.get(`${format}:${level}`) as Prepared);
      },
    );

    app.get(
      '/v1/regions/lookup',
      {
        schema: {
          tags: ['regions'],
          summary: 'The chain of regions holding a point (WGS 84), root first',
          querystring: Type.Object(
            {
              lat: Type.Number({ minimum: -90, maximum: 90 }),
              lon: Type.Number({ minimum: -180, maximum: 180 }),
            },
            { additionalProperties: false },
          ),
          response: { 200: LookupSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { lat, lon } = request.query;
        // The schema's bounds let "1e400" through as Infinity.
        const bad = [
          Number.isFinite(lat) ? undefined : 'lat',
          Number.isFinite(lon) ? undefined : 'lon',
        ].filter((v) => v !== undefined);
        if (bad.length > 0) {
          const details = bad.map((name) => ({
            path: `querystring/${name}`,
            message: 'must be a finite number',
          }));
          return reply
            .code(400)
            .send(errorBody('REQUEST_INVALID', HTTP_ERROR_CODES.REQUEST_INVALID, details));
        }
        reply.header('cache-control', CACHE_CONTROL).header('access-control-allow-origin', '*');
        return { lat, lon, regions: tree.lookupPoint(lat, lon).map(summary) };
      },
    );

    app.get(
      '/v1/regions/:code',
      {
        schema: {
          tags: ['regions'],
          summary: 'One region with its ancestors and children (ETag, 304)',
          params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: RegionDetailSchema, ...NOT_MODIFIED, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const prepared = one.get(request.params.code);
        if (!prepared)
          throw new TocsinError(
            'REGION_NOT_FOUND',
            `No region with code ${JSON.stringify(request.params.code)}.`,
            [{ path: 'params/code', message: 'unknown region code' }],
          );
        return send(request, reply, prepared);
      },
    );

    for (const format of ['geojson', 'topojson'] as const) {
      app.get(
        `/v1/regions.${format}`,
        {
          schema: {
            tags: ['regions'],
            summary: `Simplified shapes of one level as ${format === 'geojson' ? 'GeoJSON' : 'TopoJSON'}, shared borders kept shared, with attribution (ETag, 304)`,
            querystring: ShapeQuery,
            response: {
              200: Type.Object({}, { additionalProperties: true }),
              ...NOT_MODIFIED,
              ...ERROR_RESPONSES,
            },
          },
        },
        async (request, reply) => {
          const { level = defaultShapeLevel, detail = DEFAULT_DETAIL } = request.query;
          return send(request, reply, shapesOf(level, detail)[format]);
        },
      );
    }
  };
}

/** The tree down to `maxDepth`, each region with its `children`. */
function nest(tree: RegionTree, maxDepth: number): unknown[] {
  const build = (region: Region): unknown => ({
    ...summary(region),
    children: region.depth < maxDepth ? tree.children(region.code).map(build) : [],
  });
  return tree.roots().map(build);
}
