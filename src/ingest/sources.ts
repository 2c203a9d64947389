// The upstream sources CAP ingest polls, from the JSON file named by `ingest.sourcesFile`:
//   { "sources": [ { "name": "dsns", "url": "https://…/cap.atom", "jurisdiction": ["UA-59"],
//                    "event": "other", "intervalMs": 60000 } ] }
// Checked as a whole before anything starts; every problem is reported at once.
import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { RegionTree } from '../geo/types.ts';
import type { IngestProblem } from './errors.ts';

export const SourceSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
      description: 'Stable name; the source actor is ingest:<name>.',
    }),
    url: Type.String({
      pattern: '^https?://[^\\s]+$',
      maxLength: 2048,
      description: 'A CAP Atom/RSS feed or one CAP message.',
    }),
    jurisdiction: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 1000,
      description:
        'Region codes this source is trusted for (descendants included); anything else is refused.',
    }),
    event: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Event type for messages without a TOCSIN eventCode (default other).',
      }),
    ),
    intervalMs: Type.Optional(
      Type.Integer({
        minimum: 1000,
        maximum: 86_400_000,
        description: 'Poll interval (default ingest.pollIntervalMs).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SourcesFileSchema = Type.Object(
  { sources: Type.Array(SourceSchema, { maxItems: 1000 }) },
  { additionalProperties: false },
);

export type IngestSource = Static<typeof SourceSchema>;

/** Checks parsed sources against the schema and the region tree; problems name the path. */
export function checkSources(
  value: unknown,
  tree: RegionTree,
  eventTypes: ReadonlySet<string>,
): { sources: IngestSource[] } | { problems: IngestProblem[] } {
  const problems: IngestProblem[] = [];
  for (const error of Value.Errors(SourcesFileSchema, value)) {
    problems.push({
      code: 'INGEST_SOURCES_INVALID',
      message: error.message,
      where: error.instancePath || '/',
    });
    if (problems.length >= 50) break;
  }
  if (problems.length > 0) return { problems };
  const sources = (value as Static<typeof SourcesFileSchema>).sources;
  const names = new Set<string>();
  sources.forEach((source, i) => {
    if (names.has(source.name))
      problems.push({
        code: 'INGEST_SOURCES_INVALID',
        message: `duplicate name ${source.name}`,
        where: `/sources/${i}/name`,
      });
    names.add(source.name);
    source.jurisdiction.forEach((code, j) => {
      if (!tree.has(code))
        problems.push({
          code: 'INGEST_SOURCES_INVALID',
          message: `unknown region ${code}`,
          where: `/sources/${i}/jurisdiction/${j}`,
        });
    });
    if (source.event !== undefined && !eventTypes.has(source.event))
      problems.push({
        code: 'INGEST_SOURCES_INVALID',
        message: `unknown event type ${source.event}`,
        where: `/sources/${i}/event`,
      });
  });
  return problems.length > 0 ? { problems } : { sources };
}

/** Reads and checks the sources file. */
export function loadSources(
  path: string,
  tree: RegionTree,
  eventTypes: ReadonlySet<string>,
): { sources: IngestSource[] } | { problems: IngestProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { problems: [{ code: 'INGEST_SOURCES_INVALID', message: (error as Error).message, where: path }] };
  }
  return checkSources(value, tree, eventTypes);
}
