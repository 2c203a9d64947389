// GET /v1/feeds/cap.atom?region=: an Atom feed (RFC 4287) of the alerts active now, one entry
// per active incident's current alert, linking its CAP XML (`/v1/alerts/{id}.xml`, type
// application/cap+xml) as the OASIS CAP feeds note and Google's "CAP for the web" do. Built once
// per region-state version and host, then served from memory with an ETag.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AlertService, AlertView } from '../../alerts/types.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const PAGE = 500;
const MAX_PAGES = 20;
/** Entries cached per (host, region); bounded because the Host header is the client's to choose. */
const CACHE_ENTRIES = 256;

export interface FeedRoutesDeps {
  alerts: AlertService;
  /** Feed title. */
  title?: string;
}

function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The entry of one alert; the first info block supplies the texts. */
function entry(base: string, alert: AlertView): string {
  const info = alert.cap.info[0];
  const href = `${base}/v1/alerts/${encodeURIComponent(alert.id)}`;
  const title = info?.headline ?? info?.event ?? alert.event;
  const author = info?.senderName ?? alert.cap.sender;
  const summary = [alert.status === 'Actual' ? '' : `[${alert.status}] `, info?.description ?? title].join(
    '',
  );
  return [
    '  <entry>',
    `    <id>${xmlText(href)}</id>`,
    `    <title>${xmlText(alert.status === 'Actual' ? title : `[${alert.status}] ${title}`)}</title>`,
    `    <updated>${xmlText(alert.sent)}</updated>`,
    `    <published>${xmlText(alert.sent)}</published>`,
    `    <author><name>${xmlText(author)}</name></author>`,
    `    <link rel="alternate" type="application/cap+xml" href="${xmlText(`${href}.xml`)}"/>`,
    `    <link rel="related" type="application/json" href="${xmlText(href)}"/>`,
    `    <category term="${xmlText(alert.event)}"/>`,
    ...alert.regions.map((r) => `    <category scheme="urn:tocsin:region" term="${xmlText(r.code)}"/>`),
    `    <summary>${xmlText(summary)}</summary>`,
    '  </entry>',
  ].join('\n');
}

export function feedRoutes(deps: FeedRoutesDeps): FastifyPluginAsyncTypebox {
  const { alerts } = deps;
  const title = deps.title ?? 'Tocsin: active alerts';
  const cache = new Map<string, { stateEtag: string; body: string; etag: string }>();

  async function build(base: string, region: string | undefined): Promise<string> {
    const items: AlertView[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const list = await alerts.list({
        active: true,
        limit: PAGE,
        ...(region === undefined ? {} : { region }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      items.push(...list.items);
      if (list.nextCursor === null) break;
      cursor = list.nextCursor;
    }
    const updated = items.reduce(
      (latest, a) => (Date.parse(a.sent) > Date.parse(latest) ? a.sent : latest),
      '1970-01-01T00:00:00Z',
    );
    const self = `${base}/v1/feeds/cap.atom${region === undefined ? '' : `?region=${encodeURIComponent(region)}`}`;
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<feed xmlns="http://www.w3.org/2005/Atom">',
      `  <id>urn:tocsin:feed:cap:${xmlText(encodeURIComponent(region ?? 'all'))}</id>`,
      `  <title>${xmlText(region === undefined ? title : `${title} (${region})`)}</title>`,
      `  <updated>${xmlText(updated)}</updated>`,
      '  <author><name>Tocsin</name></author>',
      `  <link rel="self" type="application/atom+xml" href="${xmlText(self)}"/>`,
      ...items.map((a) => entry(base, a)),
      '</feed>',
      '',
    ].join('\n');
  }

  return async (app) => {
    app.get(
      '/v1/feeds/cap.atom',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Atom feed of the active alerts (each entry links its CAP XML); ETag, 304',
          querystring: Type.Object(
            { region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.String({ description: 'application/atom+xml' }),
            304: Type.Null(),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const region = request.query.region;
        // REGION_NOT_FOUND for an unknown code. The feed also lists alerts placed below the
        // region, so the whole state's ETag (not the region's) says whether it may have changed.
        if (region !== undefined) alerts.stateOf(region);
        const state = alerts.state();
        const base = `${request.protocol}://${request.host}`;
        const key = `${base}\u0000${region ?? ''}`;
        let cached = cache.get(key);
        if (!cached || cached.stateEtag !== state.etag) {
          const body = await build(base, region);
          const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
          if (cache.size >= CACHE_ENTRIES) cache.clear();
          cached = { stateEtag: state.etag, body, etag };
          cache.set(key, cached);
        }
        reply.header('etag', cached.etag).header('cache-control', 'no-cache');
        const inm = request.headers['if-none-match'];
        if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === cached.etag))
          return reply.code(304).send(null);
        return reply.type('application/atom+xml; charset=utf-8').send(cached.body);
      },
    );
  };
}
