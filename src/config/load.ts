// Builds the configuration from its four sources — defaults < file < environment < flags —
// and validates the result against the schema before anything starts. Every violation is
// collected and returned at once, each naming the setting and where its value came from.
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { type Config, ConfigSchema } from './schema.ts';

/** One leaf setting of the schema, found by walking it once. */
export interface SettingInfo {
  /** Dotted path, e.g. `server.port`. */
  path: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  env?: string;
  description: string;
  default: unknown;
  /** Allowed values, for unions of literals. */
  choices?: readonly string[];
  hint?: string;
}

export interface ConfigViolation {
  /** Dotted path of the setting, or '' for the file as a whole. */
  path: string;
  /** Where the value came from: `default`, `file <path>`, `env <NAME>`, `flag --<name>`. */
  source: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; violations: ConfigViolation[] };

export interface ConfigSources {
  /** Path of a JSON configuration file (full-line `//` comments allowed, as in the sample). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, by dotted path, as typed (strings are converted). */
  flags?: Record<string, { value: string; flag: string }>;
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  enum?: unknown[];
  env?: string;
  description?: string;
  default?: unknown;
  hint?: string;
}

function walk(node: SchemaNode, prefix: string, out: SettingInfo[]): SettingInfo[] {
  if (node.type === 'object' && node.properties) {
    for (const [key, child] of Object.entries(node.properties)) {
      walk(child, prefix ? `${prefix}.${key}` : key, out);
    }
    return out;
  }
  const choices = node.enum?.map(String);
  const type = choices ? 'string' : (node.type as SettingInfo['type']);
  out.push({
    path: prefix,
    type,
    description: node.description ?? '',
    default: node.default,
    ...(node.env ? { env: node.env } : {}),
    ...(choices ? { choices } : {}),
    ...(node.hint ? { hint: node.hint } : {}),
  });
  return out;
}

/** Every leaf setting, in schema order. */
export const SETTINGS: readonly SettingInfo[] = walk(ConfigSchema as unknown as SchemaNode, '', []);

function convert(setting: SettingInfo, text: string): { value: unknown } | { error: string } {
  switch (setting.type) {
    case 'integer':
      return /^-?\d+$/.test(text.trim())
        ? { value: Number(text) }
        : { error: `must be an integer, got '${text}'` };
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text))
        ? { value: Number(text) }
        : { error: `must be a number, got '${text}'` };
    case 'boolean':
      if (/^(true|1|yes)$/i.test(text)) return { value: true };
      if (/^(false|0|no)$/i.test(text)) return { value: false };
      return { error: `must be true or false, got '${text}'` };
    default:
      return { value: text };
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Parses a configuration file's text: JSON, where lines starting with `//` are comments. */
export function parseConfigText(text: string): { value: unknown } | { error: string } {
  // Blank out comment lines rather than removing them, so JSON.parse's positions stay true.
  const json = text
    .split('\n')
    .map((line) => (line.trimStart().startsWith('//') ? '' : line))
    .join('\n');
  try {
    return { value: JSON.parse(json) };
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
}

function collectFileSources(
  value: unknown,
  prefix: string,
  source: string,
  origins: Map<string, string>,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    origins.set(prefix, source);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    collectFileSources(child, prefix ? `${prefix}.${key}` : key, source, origins);
  }
}

function describe(error: { instancePath: string; keyword: string; message: string; params: unknown }): {
  path: string;
  message: string;
} {
  const path = error.instancePath.split('/').filter(Boolean).join('.');
  if (error.keyword === 'additionalProperties') {
    const names = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return {
      path,
      message: `unknown setting${names.length > 1 ? 's' : ''}: ${names.map((n) => (path ? `${path}.${n}` : n)).join(', ')}`,
    };
  }
  const setting = SETTINGS.find((s) => s.path === path);
  if (error.keyword === 'pattern' && setting?.hint) return { path, message: `must be ${setting.hint}` };
  if (error.keyword === 'enum' && setting?.choices)
    return { path, message: `must be one of ${setting.choices.join(', ')}` };
  return { path, message: error.message };
}

/** Reads, merges and validates the configuration; never throws for bad input. */
export function loadConfig(sources: ConfigSources = {}): ConfigResult {
  const violations: ConfigViolation[] = [];
  const origins = new Map<string, string>();
  let merged: Record<string, unknown> = {};

  if (sources.file !== undefined) {
    const source = `file ${sources.file}`;
    let text: string | undefined;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (error) {
      violations.push({
        path: '',
        source,
        message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
    }
    if (text !== undefined) {
      const parsed = parseConfigText(text);
      if ('error' in parsed) violations.push({ path: '', source, message: parsed.error });
      else if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
        violations.push({ path: '', source, message: 'must be a JSON object' });
      } else {
        merged = parsed.value as Record<string, unknown>;
        collectFileSources(merged, '', source, origins);
      }
    }
  }

  const layers: { values: Map<string, string>; sourceOf: (s: SettingInfo) => string }[] = [];
  const env = sources.env ?? {};
  const envValues = new Map<string, string>();
  for (const setting of SETTINGS) {
    const text = setting.env ? env[setting.env] : undefined;
    if (text !== undefined) envValues.set(setting.path, text);
  }
  layers.push({ values: envValues, sourceOf: (s) => `env ${s.env}` });
  const flagValues = new Map(Object.entries(sources.flags ?? {}).map(([path, f]) => [path, f.value]));
  layers.push({ values: flagValues, sourceOf: (s) => `flag ${sources.flags?.[s.path]?.flag ?? s.path}` });

  for (const layer of layers) {
    for (const [path, text] of layer.values) {
      const setting = SETTINGS.find((s) => s.path === path);
      if (!setting) throw new Error(`no setting ${path}`); // a programming error in a CLI verb
      const source = layer.sourceOf(setting);
      const converted = convert(setting, text);
      if ('error' in converted) {
        violations.push({ path, source, message: converted.error });
        continue;
      }
      setPath(merged, path, converted.value);
      origins.set(path, source);
    }
  }

  const withDefaults = Value.Default(ConfigSchema, structuredClone(merged)) as Record<string, unknown>;
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    if (error.keyword === 'boolean') continue; // "schema is false": repeats additionalProperties
    const { path, message } = describe(error as never);
    const source =
      error.keyword === 'additionalProperties'
        ? `file ${sources.file ?? ''}`.trim()
        : (origins.get(path) ?? 'default');
    violations.push({ path, source, message });
  }
  if (violations.length === 0) {
    const config = withDefaults as Config;
    try {
      new Intl.DateTimeFormat('en', { timeZone: config.alerts.timeZone });
    } catch {
      const source = origins.get('alerts.timeZone') ?? 'default';
      violations.push({
        path: 'alerts.timeZone',
        source,
        message: `unknown IANA time zone '${config.alerts.timeZone}'`,
      });
    }
  }
  if (violations.length > 0) return { ok: false, violations };
  return { ok: true, config: withDefaults as Config };
}

/** One line per violation, for the terminal. */
export function formatViolations(violations: readonly ConfigViolation[]): string {
  const lines = violations.map((v) => `  ${v.path || '(config)'} [${v.source}]: ${v.message}`);
  return `invalid configuration (${violations.length} problem${violations.length === 1 ? '' : 's'}):\n${lines.join('\n')}\n`;
}
