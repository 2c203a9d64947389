// `tocsin regions import | list | lookup`: the region tree from the command line. Import parses
// and validates the whole file first and stores the level in one transaction, or not at all.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatViolations, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { ImportFinding } from '../geo/import-findings.ts';
import { IMPORT_LIMITS } from '../geo/import-findings.ts';
import type { ImportOptions } from '../geo/import-geojson.ts';
import { parseImport } from '../geo/import-geojson.ts';
import { createRegionTree } from '../geo/region-tree.ts';
import type { Region, RegionTree } from '../geo/types.ts';
import { inferParents, validateImport } from '../geo/validate-import.ts';
import { DEFAULT_GEOCODE_SCHEMES, loadDefaultRegions, mergeRegions } from '../store/default-regions.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import type { Parsed } from './flags.ts';
import { listFlag, parseFlags, stringFlag, UsageError } from './flags.ts';

const help = `Usage: tocsin regions list   [--level L] [--json] [--data-dir DIR] [--config FILE]
       tocsin regions lookup LAT LON [--json] [--data-dir DIR] [--config FILE]
       tocsin regions import FILE.geojson --level NAME --code-property P
                             --name-property uk=P1 --name-property en=P2
                             [--parent-property P | --parent CODE | --root]
                             [--id-property KEY=P ...] [--dry-run] [--json]
                             [--data-dir DIR] [--config FILE]

  list     the regions (default data plus imported levels), parents first
  lookup   the chain of regions holding a point (latitude, longitude in degrees)
  import   add or replace one level from a GeoJSON FeatureCollection of Polygons or
           MultiPolygons. The parent of each feature comes from --parent-property, or
           --parent for all, or --root for none (another country); without any of them it
           is the deepest existing region above the level holding the feature. The whole
           file is checked first (codes, names, rings, parents, containment) and every
           problem is printed with its feature index; nothing is stored unless all is well.
           Restart the hub to serve the new level.

The store is the one the hub uses: SQLite in DIR (TOCSIN_DATA_DIR, default ./tocsin-data) or
PostgreSQL when DATABASE_URL is set. Exit: 0 ok, 1 import refused, 2 usage or I/O error.
`;

const COMMON = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
} as const;

export const command: Command = {
  summary: 'import, list and look up regions',
  help,
  async run(args, io) {
    const [action, ...rest] = args;
    try {
      if (action === 'list') return await list(rest, io);
      if (action === 'lookup') return await lookup(rest, io);
      if (action === 'import') return await importLevel(rest, io);
      throw new UsageError(
        action === undefined ? 'missing action: import, list or lookup' : `unknown action '${action}'`,
      );
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`tocsin regions: ${error.message}\n${help}`);
      } else {
        io.stderr(`tocsin regions: ${(error as Error).message}\n`);
      }
      return EXIT.usage;
    }
  },
};

async function list(args: string[], io: CliIo): Promise<number> {
  const parsed = parseFlags(args, { ...COMMON, level: { type: 'string' } }, 0);
  const tree = await currentTree(parsed, io);
  if (!tree) return EXIT.usage;
  const level = stringFlag(parsed, 'level');
  if (level !== undefined && !tree.levels().includes(level))
    throw new UsageError(`unknown level '${level}' (levels: ${tree.levels().join(', ')})`);
  const regions = tree.all().filter((r) => level === undefined || r.level === level);
  if (parsed.values.json) io.stdout(`${JSON.stringify({ regions: regions.map(summary) })}\n`);
  else
    io.stdout(
      regions
        .map((r) => `${'  '.repeat(r.depth)}${r.code}  ${r.level}  ${r.names.uk ?? ''} / ${r.names.en ?? ''}`)
        .join('\n') + '\n',
    );
  return EXIT.ok;
}

async function lookup(args: string[], io: CliIo): Promise<number> {
  // Negative coordinates look like flags to parseArgs: take numbers out first.
  const isNumber = (arg: string) => /^-\d/.test(arg);
  const parsed = parseFlags(
    args.filter((arg) => !isNumber(arg)),
    COMMON,
    2,
  );
  const positionals = args.filter((arg) => isNumber(arg) || parsed.positionals.includes(arg));
  const [latText, lonText] = positionals;
  if (latText === undefined || lonText === undefined) throw new UsageError('lookup needs LAT and LON');
  const lat = Number(latText);
  const lon = Number(lonText);
  if (latText.trim() === '' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    throw new UsageError(`LAT must be a number from -90 to 90, got '${latText}'`);
  if (lonText.trim() === '' || !Number.isFinite(lon) || lon < -180 || lon > 180)
    throw new UsageError(`LON must be a number from -180 to 180, got '${lonText}'`);
  const tree = await currentTree(parsed, io);
  if (!tree) return EXIT.usage;
  const chain = tree.lookupPoint(lat, lon);
  if (parsed.values.json) io.stdout(`${JSON.stringify({ lat, lon, regions: chain.map(summary) })}\n`);
  else
    io.stdout(
      chain.length === 0
        ? 'no region holds this point\n'
        : `${chain.map((r) => `${r.code}  ${r.level}  ${r.names.uk ?? ''} / ${r.names.en ?? ''}`).join('\n')}\n`,
    );
  return EXIT.ok;
}

async function importLevel(args: string[], io: CliIo): Promise<number> {
  const parsed = parseFlags(
    args,
    {
      ...COMMON,
      level: { type: 'string' },
      'code-property': { type: 'string' },
      'name-property': { type: 'string', multiple: true },
      'parent-property': { type: 'string' },
      parent: { type: 'string' },
      root: { type: 'boolean' },
      'id-property': { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
    },
    1,
  );
  const file = parsed.positionals[0];
  const level = stringFlag(parsed, 'level');
  const codeProperty = stringFlag(parsed, 'code-property');
  if (file === undefined) throw new UsageError('import needs a FILE.geojson');
  if (level === undefined) throw new UsageError('import needs --level NAME');
  if (codeProperty === undefined) throw new UsageError('import needs --code-property P');
  const parentProperty = stringFlag(parsed, 'parent-property');
  const parent = stringFlag(parsed, 'parent');
  const sources = [parentProperty !== undefined, parent !== undefined, parsed.values.root === true].filter(
    Boolean,
  ).length;
  if (sources > 1) throw new UsageError('give at most one of --parent-property, --parent and --root');
  const nameProperties = pairs(listFlag(parsed, 'name-property'), '--name-property');
  if (Object.keys(nameProperties).length === 0)
    throw new UsageError('import needs at least one --name-property LANG=P (uk and en recommended)');
  const options: ImportOptions = {
    level,
    codeProperty,
    nameProperties,
    idProperties: pairs(listFlag(parsed, 'id-property'), '--id-property'),
    ...(parentProperty !== undefined ? { parentProperty } : {}),
    ...(parent !== undefined ? { parent } : parsed.values.root ? { parent: null } : {}),
  };

  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    io.stderr(
      `tocsin regions: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return EXIT.usage;
  }
  if (size > IMPORT_LIMITS.maxBytes) {
    return report(io, parsed, file, [
      {
        code: 'REGION_IMPORT_TOO_LARGE',
        index: null,
        path: '',
        message: `The file has ${size} bytes; the limit is ${IMPORT_LIMITS.maxBytes}.`,
      },
    ]);
  }
  const text = readFileSync(file, 'utf8');

  const config = configFrom(parsed, io);
  if (!config) return EXIT.usage;
  const store = await openStore({ databaseUrl: config.database.url, dataDir: config.dataDir });
  try {
    const stored = await store.listRegions();
    const existing = createRegionTree(mergeRegions(loadDefaultRegions(), stored), {
      geocodeSchemes: DEFAULT_GEOCODE_SCHEMES,
    });
    const result = parseImport(text, options);
    const inferred = inferParents(existing, level, result.records, result.indexes);
    const findings = [...result.findings, ...inferred.findings];
    if (result.findings.length === 0)
      findings.push(...validateImport(existing, level, inferred.records, result.indexes));
    if (findings.length > 0) return report(io, parsed, file, findings);
    // The tree the hub will build at its next start must build: check before storing.
    const after = stored.filter((r) => r.level !== level).concat(inferred.records);
    createRegionTree(mergeRegions(loadDefaultRegions(), after));
    const replaced = existing.all().filter((r) => r.level === level).length;
    if (!parsed.values['dry-run']) await store.replaceRegionLevel(level, inferred.records);
    const verb = parsed.values['dry-run'] ? 'would import' : 'imported';
    if (parsed.values.json)
      io.stdout(
        `${JSON.stringify({ ok: true, level, imported: inferred.records.length, replaced, dryRun: parsed.values['dry-run'] === true })}\n`,
      );
    else
      io.stdout(
        `${verb} ${inferred.records.length} regions at level ${level}${replaced > 0 ? ` (replacing ${replaced})` : ''}\n`,
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function report(io: CliIo, parsed: Parsed, file: string, findings: ImportFinding[]): number {
  if (parsed.values.json) {
    io.stdout(`${JSON.stringify({ ok: false, findings })}\n`);
  } else {
    const lines = findings.map(
      (f) =>
        `${file}: ${f.index === null ? 'file' : `feature ${f.index}`}${f.path ? ` (${f.path})` : ''}: ${f.code}: ${f.message}`,
    );
    io.stderr(
      `${lines.join('\n')}\nnothing imported (${findings.length} problem${findings.length === 1 ? '' : 's'})\n`,
    );
  }
  return EXIT.failure;
}

function pairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1)
      throw new UsageError(`${flag} takes KEY=PROPERTY, got '${value}'`);
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

function summary(region: Region): Record<string, unknown> {
  return {
    code: region.code,
    parent: region.parent,
    level: region.level,
    depth: region.depth,
    names: region.names,
    ids: region.ids ?? {},
  };
}

function configFrom(parsed: Parsed, io: CliIo): Config | undefined {
  const file = stringFlag(parsed, 'config');
  const dataDir = stringFlag(parsed, 'data-dir');
  const result = loadConfig({
    env: io.env,
    ...(file !== undefined ? { file } : {}),
    ...(dataDir !== undefined ? { flags: { dataDir: { value: dataDir, flag: '--data-dir' } } } : {}),
  });
  if (!result.ok) {
    io.stderr(formatViolations(result.violations));
    return undefined;
  }
  return result.config;
}

/** The tree the hub would serve; reading it never creates a data folder. */
async function currentTree(parsed: Parsed, io: CliIo): Promise<RegionTree | undefined> {
  const config = configFrom(parsed, io);
  if (!config) return undefined;
  let stored: Awaited<ReturnType<Store['listRegions']>> = [];
  if (config.database.url !== '' || existsSync(join(config.dataDir, 'tocsin.db'))) {
    const store = await openStore({ databaseUrl: config.database.url, dataDir: config.dataDir });
    try {
      stored = await store.listRegions();
    } finally {
      await store.close();
    }
  }
  return createRegionTree(mergeRegions(loadDefaultRegions(), stored), {
    geocodeSchemes: DEFAULT_GEOCODE_SCHEMES,
  });
}
