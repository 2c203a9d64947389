import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseConfigText, SETTINGS } from './load.ts';
import { renderSample } from './sample.ts';

function tempFile(t: { after: (fn: () => void) => void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'tocsin.json');
  writeFileSync(path, text);
  return path;
}

test('no configuration gives the embedded default: SQLite in ./tocsin-data, port 8080, memory bus', () => {
  const result = loadConfig({ env: {} });
  assert.ok(result.ok);
  assert.equal(result.config.server.port, 8080);
  assert.equal(result.config.dataDir, './tocsin-data');
  assert.equal(result.config.database.url, '');
  assert.equal(result.config.nats.url, '');
});

test('flags win over the environment, which wins over the file', (t) => {
  const file = tempFile(
    t,
    JSON.stringify({ server: { port: 1111, host: '0.0.0.0' }, dataDir: '/from-file' }),
  );
  const result = loadConfig({
    file,
    env: { PORT: '2222', TOCSIN_DATA_DIR: '/from-env' },
    flags: { 'server.port': { value: '3333', flag: '--port' } },
  });
  assert.ok(result.ok);
  assert.equal(result.config.server.port, 3333);
  assert.equal(result.config.dataDir, '/from-env');
  assert.equal(result.config.server.host, '0.0.0.0');
});

test('every violation is reported at once, each naming the setting and its source', (t) => {
  const file = tempFile(t, JSON.stringify({ server: { bodyLimitBytes: 5, colour: 'red' }, extra: 1 }));
  const result = loadConfig({
    file,
    env: { PORT: 'eighty', DATABASE_URL: 'mysql://db', LOG_LEVEL: 'loud', TOCSIN_TRUST_PROXY: 'maybe' },
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const seen = result.violations.map((v) => `${v.path}|${v.source}`).sort();
  assert.deepEqual(
    seen,
    [
      `|file ${file}`,
      `database.url|env DATABASE_URL`,
      `log.level|env LOG_LEVEL`,
      `server.bodyLimitBytes|file ${file}`,
      `server.port|env PORT`,
      `server.trustProxy|env TOCSIN_TRUST_PROXY`,
      `server|file ${file}`,
    ].sort(),
  );
  assert.match(result.violations.find((v) => v.path === 'database.url')?.message ?? '', /postgres:\/\//);
  assert.match(result.violations.find((v) => v.path === 'server')?.message ?? '', /server\.colour/);
});

test('a file that is not JSON, or missing, is a violation with the reason, not a crash', (t) => {
  const broken = loadConfig({ file: tempFile(t, '{ "server": ') });
  assert.ok(!broken.ok && /not valid JSON/.test(broken.violations[0]?.message ?? ''));
  const missing = loadConfig({ file: '/nonexistent/tocsin.json' });
  assert.ok(!missing.ok && /ENOENT/.test(missing.violations[0]?.message ?? ''));
  const array = loadConfig({ file: tempFile(t, '[1]') });
  assert.ok(!array.ok && /JSON object/.test(array.violations[0]?.message ?? ''));
});

test('the sample documents every setting with its env name and loads back to the defaults', (t) => {
  const sample = renderSample();
  for (const setting of SETTINGS) {
    if (setting.env) assert.ok(sample.includes(`Environment: ${setting.env}.`), setting.path);
  }
  const parsed = parseConfigText(sample);
  assert.ok('value' in parsed);
  const fromSample = loadConfig({ file: tempFile(t, sample) });
  const defaults = loadConfig({});
  assert.ok(fromSample.ok && defaults.ok);
  assert.deepEqual(fromSample.config, defaults.config);
});
