// Issue 7: the public page's JavaScript stays under 60 KB gzipped (old phones, slow networks).
// Counts every script the page loads: its entry chunk and, transitively, the chunks it imports
// (static and dynamic), as Vite's build manifest lists them. Also checks the build keeps to the
// CSP: no inline script or style in the pages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildWeb, WEB_DIST } from './helpers/web.ts';

const BUDGET_BYTES = 60 * 1024;

interface Chunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
}

function scriptsOf(manifest: Record<string, Chunk>, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    assert.ok(chunk, `manifest has ${key}`);
    if (seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(next);
  };
  visit(entry);
  return [...seen];
}

before(buildWeb);

test('the public page loads under 60 KB of gzipped JavaScript', () => {
  const manifest = JSON.parse(readFileSync(join(WEB_DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    Chunk
  >;
  const files = scriptsOf(manifest, 'index.html');
  assert.ok(files.length >= 1);
  const sizes = files.map((file) => ({
    file,
    gzip: gzipSync(readFileSync(join(WEB_DIST, file)), { level: 9 }).length,
  }));
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  console.log(
    `public page JS: ${total} bytes gzipped (${sizes.map((s) => `${s.file} ${s.gzip}`).join(', ')}); budget ${BUDGET_BYTES}`,
  );
  assert.ok(
    total < BUDGET_BYTES,
    `public page JS is ${total} bytes gzipped, over the ${BUDGET_BYTES} budget`,
  );
  // Every script the page references is one of those counted (nothing loaded outside the manifest).
  const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  for (const [, src] of html.matchAll(/<script[^>]*src="\/([^"]+)"/g))
    assert.ok(files.includes(src as string), `${src} counted`);
});

test('the built pages hold no inline script or style (the CSP allows neither)', () => {
  for (const page of ['index.html', 'console.html']) {
    const html = readFileSync(join(WEB_DIST, page), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${page}: inline <script>`);
    assert.doesNotMatch(html, /<style[\s>]/, `${page}: inline <style>`);
    assert.doesNotMatch(html, /\sstyle="/, `${page}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+="/, `${page}: inline event handler`);
  }
});
