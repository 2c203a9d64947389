// RFC 8785 (JSON Canonicalization Scheme) for the values the hub signs and hashes: events, audit
// records, idempotent requests. Members sorted by UTF-16 code units, numbers and strings as
// ECMAScript's JSON.stringify writes them, no whitespace. Written here rather than taken from the
// `canonicalize` package because that one was ≈ 8 % of the CPU of an issue (a CPU profile of
// `bench:api`); src/json/canonical.test.ts checks both give the same text for arbitrary JSON.

/** The canonical JSON text of `value`; throws on what JSON cannot carry (NaN, Infinity, lone surrogates, bigint). */
export function canonicalJson(value: unknown): string {
  const text = write(value);
  if (text === undefined) throw new TypeError(`a ${typeof value} has no JSON form`);
  return text;
}

/** A string as a JSON string literal; throws on a lone surrogate (RFC 8785 §3.2.2.2). */
export function quoteJson(text: string): string {
  if (SURROGATE.test(text) && hasLoneSurrogate(text)) throw new TypeError('a lone surrogate is not allowed');
  return JSON.stringify(text);
}

const SURROGATE = /[\uD800-\uDFFF]/;

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}

/** undefined where JSON.stringify would leave the member out (undefined, functions, symbols). */
function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not allowed in JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('a bigint has no JSON form');
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON());
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += write(value[i]) ?? 'null';
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  for (const key of keys) {
    const member = write(record[key]);
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${quoteJson(key)}:${member}`;
  }
  return `${text}}`;
}
