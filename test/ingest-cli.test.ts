// `tocsin ingest FILE [--source NAME]` as a child process on a temp data folder: issues, de-duplicates
// on a second run, refuses outside the source's jurisdiction (exit 1, recorded), refuses a malformed
// feed with its position; what it issued is served by a hub started on the same data afterwards.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers/cli.ts';
import { makeTempDir, startTestHub } from './helpers/hub.ts';
import { atomFeed, geocodeArea, upstreamCap } from './helpers/upstream-cap.ts';

let temp: { dir: string; remove: () => void };
let dataDir: string;
const env = () => ({ TOCSIN_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '' });

describe('tocsin ingest', () => {
  before(() => {
    temp = makeTempDir();
    dataDir = join(temp.dir, 'data');
    writeFileSync(
      join(temp.dir, 'sources.json'),
      JSON.stringify({
        sources: [{ name: 'poltava', url: 'http://127.0.0.1:9/unused', jurisdiction: ['UA-53'] }],
      }),
    );
  });
  after(() => temp.remove());

  test('a CAP file is issued once; the second run finds it seen', async () => {
    const file = join(temp.dir, 'one.xml');
    writeFileSync(
      file,
      upstreamCap(
        { identifier: 'cli-one', minutesAgo: 1, tocsinEvent: 'air_raid', area: geocodeArea('UA-53') },
        Date.now(),
      ),
    );
    const first = await runCli(['ingest', file, '--source', 'poltava', '--json'], {
      env: { ...env(), TOCSIN_INGEST_SOURCES_FILE: join(temp.dir, 'sources.json') },
    });
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.equal(report.messages[0].outcome, 'issued');
    assert.equal(report.messages[0].alertId, 'cli-one');

    const second = await runCli(['ingest', file, '--source', 'poltava'], {
      env: { ...env(), TOCSIN_INGEST_SOURCES_FILE: join(temp.dir, 'sources.json') },
    });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^seen\s+dsns@example\.gov\.ua,cli-one,/);
  });

  test('outside the source’s jurisdiction: refused, recorded, exit 1', async () => {
    const file = join(temp.dir, 'kyiv.xml');
    writeFileSync(
      file,
      upstreamCap(
        { identifier: 'cli-kyiv', minutesAgo: 1, tocsinEvent: 'air_raid', area: geocodeArea('UA-30') },
        Date.now(),
      ),
    );
    const result = await runCli(['ingest', file, '--source', 'poltava'], {
      env: { ...env(), TOCSIN_INGEST_SOURCES_FILE: join(temp.dir, 'sources.json') },
    });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^refused\s+.*cli-kyiv.*AUTH_JURISDICTION: .*UA-30/m);
  });

  test('a malformed feed from stdin: the error with its position, nothing issued, exit 1; usage errors exit 2', async () => {
    const feed = atomFeed(
      [upstreamCap({ identifier: 'cli-bad', minutesAgo: 1, area: geocodeArea('UA-53') }, Date.now(), 'cap')],
      [],
      Date.now(),
    );
    const broken = feed.replace('</entry>', '');
    const result = await runCli(['ingest', '-'], { env: env(), input: broken });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /problem\s+INGEST_FEED_INVALID \(line \d+, column \d+\): FEED_XML_MALFORMED/);
    assert.doesNotMatch(result.stdout, /issued/);

    assert.equal((await runCli(['ingest'], { env: env() })).code, 2);
    assert.equal((await runCli(['ingest', join(temp.dir, 'missing.xml')], { env: env() })).code, 2);
    const unknownSource = await runCli(['ingest', join(temp.dir, 'one.xml'), '--source', 'nope'], {
      env: { ...env(), TOCSIN_INGEST_SOURCES_FILE: join(temp.dir, 'sources.json') },
    });
    assert.equal(unknownSource.code, 2);
    assert.match(unknownSource.stderr, /no source 'nope'/);
  });

  test('without --source the file is trusted for every region; a hub on the same data serves it', async () => {
    const file = join(temp.dir, 'feed.atom');
    writeFileSync(
      file,
      atomFeed(
        [
          upstreamCap(
            { identifier: 'cli-feed', minutesAgo: 1, tocsinEvent: 'missile', area: geocodeArea('UA-30') },
            Date.now(),
            'cap',
          ),
        ],
        [],
        Date.now(),
      ),
    );
    const result = await runCli(['ingest', file], { env: env() });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const hub = await startTestHub({ dataDir });
    try {
      const alert = await hub.alerts.get('cli-feed');
      assert.equal(alert.author, 'ingest:cli');
      assert.equal(alert.active, true);
      assert.equal(JSON.parse(hub.alerts.stateOf('UA-30').body).active, true);
      assert.equal((await hub.store.ingest.sourceOfAlert('cli-one'))?.source, 'poltava');
    } finally {
      await hub.stop();
    }
  });
});
