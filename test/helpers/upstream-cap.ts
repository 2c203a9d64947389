// CAP 1.2 messages as an upstream authority would publish them (no Tocsin-specific parts unless
// asked), with times around now so they are current, and Atom feeds carrying or linking them.

export const UPSTREAM_SENDER = 'dsns@example.gov.ua';

export interface UpstreamMessage {
  identifier: string;
  /** Minutes before now. */
  minutesAgo: number;
  msgType?: 'Alert' | 'Update' | 'Cancel';
  status?: 'Actual' | 'Exercise';
  references?: string;
  /** A TOCSIN eventCode value; omitted like a foreign authority would. */
  tocsinEvent?: string;
  allClear?: boolean;
  /** Inner XML of <area> after <areaDesc>. */
  area: string;
  areaDesc?: string;
}

function time(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function sentOf(message: UpstreamMessage, nowMs: number): string {
  return time(nowMs - message.minutesAgo * 60_000);
}

export function upstreamCap(message: UpstreamMessage, nowMs: number, prefix = ''): string {
  const p = prefix ? `${prefix}:` : '';
  const el = (name: string, text: string) => `<${p}${name}>${text}</${p}${name}>`;
  const ns = prefix ? `xmlns:${prefix}` : 'xmlns';
  return [
    `<${p}alert ${ns}="urn:oasis:names:tc:emergency:cap:1.2">`,
    el('identifier', message.identifier),
    el('sender', UPSTREAM_SENDER),
    el('sent', sentOf(message, nowMs)),
    el('status', message.status ?? 'Actual'),
    el('msgType', message.msgType ?? 'Alert'),
    el('scope', 'Public'),
    message.references ? el('references', message.references) : '',
    `<${p}info>`,
    el('language', 'uk'),
    el('category', 'Safety'),
    el('event', 'Небезпека'),
    el('responseType', message.allClear ? 'AllClear' : 'Shelter'),
    el('urgency', 'Immediate'),
    el('severity', 'Moderate'),
    el('certainty', 'Likely'),
    message.tocsinEvent
      ? `<${p}eventCode>${el('valueName', 'TOCSIN')}${el('value', message.tocsinEvent)}</${p}eventCode>`
      : '',
    el('expires', time(nowMs + 120 * 60_000)),
    el('senderName', 'ДСНС України'),
    el('headline', message.allClear ? 'Відбій' : 'Увага'),
    `<${p}area>${el('areaDesc', message.areaDesc ?? 'Район')}${message.area.replaceAll('<', `<${p}`).replaceAll(`<${p}/`, `</${p}`)}</${p}area>`,
    `</${p}info>`,
    `</${p}alert>`,
  ].join('');
}

export const geocodeArea = (code: string) =>
  `<geocode><valueName>ISO 3166-2</valueName><value>${code}</value></geocode>`;

/** A small square polygon (CAP lat,lon pairs) around a point. */
export const squareArea = (lat: number, lon: number, d = 0.05) =>
  `<polygon>${[
    [lat - d, lon - d],
    [lat - d, lon + d],
    [lat + d, lon + d],
    [lat + d, lon - d],
    [lat - d, lon - d],
  ]
    .map(([a, b]) => `${a},${b}`)
    .join(' ')}</polygon>`;

/** An Atom feed: embedded messages (inherited `cap:` prefix) and links (relative or absolute). */
export function atomFeed(embedded: string[], links: string[], nowMs: number): string {
  const entries = [
    ...embedded.map(
      (xml, i) =>
        `<entry><id>urn:example:e${i}</id><title>e${i}</title><updated>${time(nowMs)}</updated><content type="application/cap+xml">${xml}</content></entry>`,
    ),
    ...links.map(
      (href, i) =>
        `<entry><id>urn:example:l${i}</id><title>l${i}</title><updated>${time(nowMs)}</updated><link rel="alternate" type="application/cap+xml" href="${href}"/></entry>`,
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"><id>urn:example:feed</id><title>Upstream</title><updated>${time(nowMs)}</updated>${entries.join('')}</feed>`;
}
