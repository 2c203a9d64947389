// The short form of DESIGN.md → a full CAP alert. The operator names the event type and the
// regions; the hub fills in everything else from the event type's profile entry and the tree.

import { type EventTypeDefinition, TOCSIN_EVENT_CODE } from '../cap/profiles/event-types.ts';
import type { Alert, Area, Info, Status } from '../cap/types.ts';
import { STATUSES } from '../cap/types.ts';
import type { RegionTree } from '../geo/types.ts';
import { parseTime } from './clock.ts';
import { type ErrorDetail, TocsinError } from './errors.ts';

/** A validated short form. */
export interface ShortForm {
  event?: string;
  regions?: string[];
  status?: Status;
  headline?: Record<string, string>;
  instruction?: Record<string, string>;
  description?: Record<string, string>;
  expires?: string;
  expiresInMinutes?: number;
  note?: string;
}

const KEYS = new Set([
  'event',
  'regions',
  'status',
  'headline',
  'instruction',
  'description',
  'expires',
  'expiresInMinutes',
  'note',
]);
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
const MAX_REGIONS = 1000;
const MAX_TEXT = 4000;
const MAX_LANGUAGES = 16;

/** Checks the shape of a short-form body; every problem is reported at once with its path. */
export function parseShortForm(body: unknown, required: { event: boolean; regions: boolean }): ShortForm {
  const problems: ErrorDetail[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TocsinError('ALERT_INPUT_INVALID', 'The short form must be a JSON object', [
      { path: '', message: 'expected an object' },
    ]);
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (!KEYS.has(key)) bad(key, `unknown field; expected one of ${[...KEYS].join(', ')}`);
  const out: ShortForm = {};
  if (b.event !== undefined) {
    if (typeof b.event !== 'string' || !/^[a-z0-9_]{1,64}$/.test(b.event))
      bad('event', 'expected an event type code such as "air_raid"');
    else out.event = b.event;
  } else if (required.event) bad('event', 'required');
  if (b.regions !== undefined) {
    if (!Array.isArray(b.regions) || b.regions.length === 0 || b.regions.length > MAX_REGIONS) {
      bad('regions', `expected 1 to ${MAX_REGIONS} region codes`);
    } else {
      b.regions.forEach((r, i) => {
        if (typeof r !== 'string' || r.length === 0 || r.length > 64)
          bad(`regions[${i}]`, 'expected a region code such as "UA-59"');
      });
      out.regions = [...new Set(b.regions as string[])];
    }
  } else if (required.regions) bad('regions', 'required');
  if (b.status !== undefined) {
    if (
      typeof b.status !== 'string' ||
      !(STATUSES as readonly string[]).includes(b.status) ||
      b.status === 'Draft'
    ) {
      bad('status', 'expected Actual, Exercise, System or Test');
    } else out.status = b.status as Status;
  }
  for (const field of ['headline', 'instruction', 'description'] as const) {
    const texts = parseTexts(b[field], field, bad);
    if (texts) out[field] = texts;
  }
  if (b.expires !== undefined) {
    if (typeof b.expires !== 'string' || Number.isNaN(parseTime(b.expires)))
      bad('expires', 'expected an RFC 3339 date-time with offset');
    else out.expires = b.expires;
  }
  if (b.expiresInMinutes !== undefined) {
    const m = b.expiresInMinutes;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 525_600)
      bad('expiresInMinutes', 'expected a whole number of minutes, 1 to 525600');
    else out.expiresInMinutes = m;
  }
  if (out.expires !== undefined && out.expiresInMinutes !== undefined)
    bad('expires', 'give expires or expiresInMinutes, not both');
  if (b.note !== undefined) {
    if (typeof b.note !== 'string' || b.note.length > MAX_TEXT)
      bad('note', `expected text of at most ${MAX_TEXT} characters`);
    else out.note = b.note;
  }
  if (problems.length > 0)
    throw new TocsinError('ALERT_INPUT_INVALID', 'The short form has problems', problems);
  return out;
}

function parseTexts(
  value: unknown,
  field: string,
  bad: (path: string, message: string) => void,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    bad(field, 'expected an object of texts by language, e.g. { "uk": "...", "en": "..." }');
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > MAX_LANGUAGES)
    bad(field, `expected 1 to ${MAX_LANGUAGES} languages`);
  const out: Record<string, string> = {};
  for (const [lang, text] of entries) {
    if (!LANGUAGE.test(lang)) bad(`${field}.${lang}`, 'not a language tag such as "uk" or "en-US"');
    else if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT)
      bad(`${field}.${lang}`, `expected non-empty text of at most ${MAX_TEXT} characters`);
    else out[lang] = text;
  }
  return out;
}

export interface ShortFormContext {
  identifier: string;
  sender: string;
  /** `sent`, already formatted with offset. */
  sent: string;
  /** `expires` formatted with offset when `expiresInMinutes` is used. */
  formatTime: (ms: number) => string;
  nowMs: number;
  eventType: EventTypeDefinition;
  regions: string[];
  tree: RegionTree;
  msgType: Alert['msgType'];
  references?: string;
}

/** Builds the CAP alert: one info per language, one area per region with its geocode and names. */
export function buildAlert(form: ShortForm, ctx: ShortFormContext): Alert {
  const def = ctx.eventType;
  const languages = languagesOf(form, def);
  const expires =
    form.expires ??
    (form.expiresInMinutes === undefined
      ? undefined
      : ctx.formatTime(ctx.nowMs + form.expiresInMinutes * 60_000));
  const infos: Info[] = languages.map((lang) => {
    const info: Info = {
      language: lang,
      category: [...def.category],
      event: pick(def.names, lang) ?? def.code,
      responseType: [...def.responseType],
      urgency: def.urgency,
      severity: def.severity,
      certainty: def.certainty,
      eventCode: [{ valueName: TOCSIN_EVENT_CODE, value: def.code }],
      parameter: [],
      resource: [],
      area: ctx.regions.map((code) => areaFor(code, lang, ctx.tree)),
    };
    const headline = form.headline?.[lang] ?? pick(def.headline, lang);
    const instruction = form.instruction?.[lang] ?? pick(def.instruction, lang);
    const description = form.description?.[lang];
    if (headline !== undefined) info.headline = headline;
    if (instruction !== undefined) info.instruction = instruction;
    if (description !== undefined) info.description = description;
    if (expires !== undefined) info.expires = expires;
    return info;
  });
  const alert: Alert = {
    identifier: ctx.identifier,
    sender: ctx.sender,
    sent: ctx.sent,
    status: form.status ?? 'Actual',
    msgType: ctx.msgType,
    scope: 'Public',
    code: [],
    info: infos,
  };
  if (ctx.references !== undefined) alert.references = ctx.references;
  if (form.note !== undefined) alert.note = form.note;
  return alert;
}

function languagesOf(form: ShortForm, def: EventTypeDefinition): string[] {
  const given = new Set([
    ...Object.keys(form.headline ?? {}),
    ...Object.keys(form.instruction ?? {}),
    ...Object.keys(form.description ?? {}),
  ]);
  return given.size > 0 ? [...given] : Object.keys(def.headline);
}

function pick(texts: Record<string, string>, lang: string): string | undefined {
  return texts[lang] ?? texts[lang.split('-')[0] ?? lang] ?? texts.en;
}

/** A region as a CAP area: ISO 3166-2 at the first level below the root, Tocsin's own code below. */
export function areaFor(code: string, lang: string, tree: RegionTree): Area {
  const region = tree.get(code);
  const valueName = region && region.depth <= 1 ? 'ISO 3166-2' : 'TOCSIN-REGION';
  return {
    areaDesc: (region && pick(region.names, lang)) ?? code,
    polygon: [],
    circle: [],
    geocode: [{ valueName, value: code }],
  };
}
