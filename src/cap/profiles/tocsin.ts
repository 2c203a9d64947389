// Tocsin's own profile (DESIGN.md, issues 2 and 5): every info names a known Tocsin event type,
// every area names a region, and exercise or test messages never claim to be real.

import { phraseMatcher, REAL_WORDING, readableTexts } from '../validate-wording.ts';
import { DEFAULT_EVENT_TYPES, type EventTypeDefinition, TOCSIN_EVENT_CODE } from './event-types.ts';
import type { Profile, ProfileRule } from './profile.ts';

export interface TocsinProfileOptions {
  eventTypes?: readonly EventTypeDefinition[];
  /** Geocode valueNames that carry a region code; each area needs at least one. */
  regionCodeSchemes?: readonly string[];
  /** When given, every region geocode must name a region it knows. */
  isKnownRegion?: (code: string) => boolean;
  /** Phrases that claim a message is real (default REAL_WORDING). */
  realWording?: readonly string[];
}

export const DEFAULT_REGION_CODE_SCHEMES: readonly string[] = ['ISO 3166-2', 'TOCSIN-REGION'];
const REF = 'Tocsin profile';

/** Builds the Tocsin profile for a deployment's event types and region registry. */
export function createTocsinProfile(options: TocsinProfileOptions = {}): Profile {
  const eventTypes = options.eventTypes ?? DEFAULT_EVENT_TYPES;
  const findRealWording = phraseMatcher(options.realWording ?? REAL_WORDING);
  const geocode: ProfileRule = {
    kind: 'geocode',
    ref: REF,
    valueNames: options.regionCodeSchemes ?? DEFAULT_REGION_CODE_SCHEMES,
    ...(options.isKnownRegion === undefined ? {} : { isKnown: options.isKnownRegion }),
  };
  return {
    id: 'tocsin',
    name: 'Tocsin',
    rules: [
      {
        kind: 'eventCode',
        ref: REF,
        valueName: TOCSIN_EVENT_CODE,
        min: 1,
        max: 1,
        values: eventTypes.map((t) => t.code),
      },
      // Delivery is by region: an info without an area reaches nobody.
      { kind: 'required', on: 'info', element: 'area', ref: REF },
      geocode,
      {
        kind: 'check',
        ref: 'Tocsin profile, issue 5',
        check(alert, emit) {
          if (alert.status !== 'Exercise' && alert.status !== 'Test') return;
          for (const [path, element, text] of readableTexts(alert)) {
            const found = findRealWording(text);
            if (found !== undefined)
              emit('CAP_EXERCISE_REAL_WORDING', path, { status: alert.status, found, element });
          }
        },
      },
    ],
  };
}
