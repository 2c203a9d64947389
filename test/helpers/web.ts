// The web app in tests: built once per test process with Vite's API (the tests always check
// the current sources), driven in the machine's Chromium through playwright-core. Never
// downloads a browser: a missing /usr/bin/chromium is an error that says how to install it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli.ts';

export const CHROMIUM = process.env.TOCSIN_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
export const WEB_DIST = join(REPO_ROOT, 'web', 'dist');

// Without the background-networking flags Chromium keeps calling home, which a closed network
// turns into a flood of failing connections; --no-sandbox because CI runs as root.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

let built: Promise<void> | undefined;
const SOURCE_HASH_FILE = '.source-hash';

/** A hash of every source file of web/ (not the build): equal hashes mean the build is current. */
function webSourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(REPO_ROOT, 'web'));
  return hash.digest('hex');
}

/**
 * Makes web/dist current (once per process). Test files run in parallel and servers read the
 * build, so a stale build is made in a private folder and swapped in with two renames; a
 * current one (same source hash) is left alone.
 */
export function buildWeb(): Promise<void> {
  built ??= (async () => {
    const sourceHash = webSourceHash();
    const stamp = join(WEB_DIST, SOURCE_HASH_FILE);
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sourceHash) return;
    const { build } = await import('vite');
    // Beside the build on the same file system (renames), where git never looks.
    const fresh = join(REPO_ROOT, 'node_modules', '.cache', `tocsin-web-${process.pid}`);
    await build({
      configFile: join(REPO_ROOT, 'web', 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: fresh, emptyOutDir: true },
    });
    writeFileSync(join(fresh, SOURCE_HASH_FILE), sourceHash);
    const old = join(REPO_ROOT, 'node_modules', '.cache', `tocsin-web-old-${process.pid}`);
    if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
    renameSync(fresh, WEB_DIST);
    rmSync(old, { recursive: true, force: true });
  })();
  return built;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: install the Debian package (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) in the page; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated over the DevTools protocol: the page's CSP (no inline scripts) rightly refuses a script tag.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  })) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable list of violations for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes
          .map((n) => JSON.stringify(n.target))
          .slice(0, 5)
          .join('\n  ')}`,
    )
    .join('\n');
}
