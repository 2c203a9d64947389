import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../test/helpers/cli.ts';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import { splitRegion } from '../geo/clip-rect.ts';
import { loadDefaultRegions } from '../store/default-regions.ts';
import { command } from './regions.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-regions-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { DATABASE_URL: '' };

const features = loadDefaultRegions()
  .filter((r) => r.code === 'UA-59' || r.code === 'UA-63')
  .flatMap((r) => splitRegion(r, 2, 2, 'raion'))
  .map((r) => ({
    type: 'Feature',
    properties: { katotth: `K-${r.code}`, uk: r.names.uk, en: r.names.en, oblast: r.parent },
    geometry: r.geometry,
  }));
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};
const goodFile = file('raions.geojson', { type: 'FeatureCollection', features });
const importArgs = (path: string, dataDir: string) => [
  'regions',
  'import',
  path,
  '--level',
  'raion',
  '--code-property',
  'katotth',
  '--name-property',
  'uk=uk',
  '--name-property',
  'en=en',
  '--parent-property',
  'oblast',
  '--data-dir',
  dataDir,
];

test('lookup and list work on the default data without creating a data folder', async () => {
  const dataDir = join(dir, 'never-created');
  const lookup = await runCli(['regions', 'lookup', '50.91', '34.80', '--json', '--data-dir', dataDir], {
    env,
  });
  assert.equal(lookup.code, 0, lookup.stderr);
  assert.deepEqual(
    JSON.parse(lookup.stdout).regions.map((r: { code: string }) => r.code),
    ['UA', 'UA-59'],
  );
  const text = await runCli(['regions', 'lookup', '50.45', '30.52', '--data-dir', dataDir], { env });
  assert.match(text.stdout, /UA-30 {2}oblast {2}м\. Київ/);
  const outside = await runCli(['regions', 'lookup', '52.23', '21.01', '--data-dir', dataDir], { env });
  assert.equal(outside.stdout, 'no region holds this point\n');
  const list = await runCli(['regions', 'list', '--level', 'oblast', '--json', '--data-dir', dataDir], {
    env,
  });
  assert.equal(JSON.parse(list.stdout).regions.length, 27);
  assert.equal(existsSync(dataDir), false);
});

test('usage errors exit 2 and say what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [['regions'], /missing action/],
    [['regions', 'frob'], /unknown action 'frob'/],
    [['regions', 'lookup', '91', '30'], /LAT must be a number from -90 to 90/],
    [['regions', 'lookup', '50', 'east'], /LON must be a number/],
    [['regions', 'lookup', '50'], /needs LAT and LON/],
    [['regions', 'lookup', '-91', '-30'], /LAT must be a number from -90 to 90, got '-91'/],
    [['regions', 'list', '--level', 'galaxy'], /unknown level 'galaxy'/],
    [['regions', 'import', goodFile, '--code-property', 'x', '--name-property', 'uk=uk'], /needs --level/],
    [
      ['regions', 'import', goodFile, '--level', 'raion', '--code-property', 'x', '--name-property', 'uk'],
      /KEY=PROPERTY/,
    ],
    [
      [
        'regions',
        'import',
        goodFile,
        '--level',
        'raion',
        '--code-property',
        'x',
        '--name-property',
        'uk=uk',
        '--parent',
        'UA',
        '--root',
      ],
      /at most one/,
    ],
    [
      [
        'regions',
        'import',
        join(dir, 'missing.geojson'),
        '--level',
        'raion',
        '--code-property',
        'x',
        '--name-property',
        'uk=uk',
      ],
      /cannot read .*ENOENT/,
    ],
  ];
  // In-process: the same command object the binary runs, without a process start per case.
  for (const [[, ...args], message] of cases) {
    let stderr = '';
    const io = {
      stdout: () => {},
      stderr: (text: string) => {
        stderr += text;
      },
      readStdin: async () => '',
      env: { TOCSIN_DATA_DIR: join(dir, 'usage') },
    };
    const code = await command.run(args, io);
    assert.equal(code, 2, args.join(' '));
    assert.match(stderr, message, args.join(' '));
  }
});

test('import stores a level; a bad file is refused whole, feature by feature, and changes nothing', async () => {
  const dataDir = join(dir, 'sqlite');
  const dry = await runCli([...importArgs(goodFile, dataDir), '--dry-run'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /would import 8 regions at level raion/);
  const before = await runCli(['regions', 'list', '--json', '--data-dir', dataDir], { env });
  assert.ok(!before.stdout.includes('"raion"'), 'a dry run stores nothing');

  const imported = await runCli(importArgs(goodFile, dataDir), { env });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /imported 8 regions at level raion/);
  const lookup = await runCli(['regions', 'lookup', '50.91', '34.80', '--json', '--data-dir', dataDir], {
    env,
  });
  const chain = JSON.parse(lookup.stdout).regions;
  assert.deepEqual(
    chain.map((r: { level: string }) => r.level),
    ['country', 'oblast', 'raion'],
  );
  assert.match(chain[2].code, /^K-UA-59-\d$/);

  const broken = structuredClone(features);
  broken[2]!.properties.katotth = broken[0]!.properties.katotth;
  (broken[5]!.geometry.coordinates as number[][][])[0]!.pop();
  broken[6]!.properties.oblast = 'UA-99';
  const badFile = file('bad.geojson', { type: 'FeatureCollection', features: broken });
  const refused = await runCli(importArgs(badFile, dataDir), { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /feature 2 \(properties\): REGION_IMPORT_DUPLICATE_CODE/);
  assert.match(refused.stderr, /feature 5 \(geometry\.coordinates\[0\]\): REGION_IMPORT_RING_NOT_CLOSED/);
  assert.match(refused.stderr, /feature 6 \(properties\): REGION_IMPORT_UNKNOWN_PARENT/);
  assert.match(refused.stderr, /nothing imported \(3 problems\)/);
  const json = await runCli([...importArgs(badFile, dataDir), '--json'], { env });
  assert.deepEqual(
    JSON.parse(json.stdout).findings.map((f: { index: number }) => f.index),
    [2, 5, 6],
  );

  const notGeojson = await runCli(importArgs(file('x.geojson', '<kml/>'), dataDir), { env });
  assert.equal(notGeojson.code, 1);
  assert.match(notGeojson.stderr, /file: REGION_IMPORT_NOT_GEOJSON/);

  const after = await runCli(['regions', 'list', '--level', 'raion', '--json', '--data-dir', dataDir], {
    env,
  });
  assert.deepEqual(
    JSON.parse(after.stdout).regions.map((r: { code: string }) => r.code),
    features.map((f) => f.properties.katotth).sort(),
    'the refused imports left the stored level as it was',
  );
});

test('import into PostgreSQL when DATABASE_URL is set', async (t) => {
  const db = await createTestDatabase();
  t.after(() => db.drop());
  const pgEnv = { DATABASE_URL: db.url };
  const imported = await runCli(importArgs(goodFile, join(dir, 'unused')), { env: pgEnv });
  assert.equal(imported.code, 0, imported.stderr);
  const list = await runCli(['regions', 'list', '--level', 'raion', '--json'], { env: pgEnv });
  assert.equal(JSON.parse(list.stdout).regions.length, 8);
});
