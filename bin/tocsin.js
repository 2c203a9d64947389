#!/usr/bin/env node
// The `tocsin` command: runs the compiled CLI (built by `npm run build`, which `npm ci` runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/run.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('tocsin: not built yet; run `npm run build` (npm ci does it) first');
  process.exit(2);
}
await import(compiled);
