// Decimal numbers as CAP XML writes them (xs:decimal: no exponent, no NaN or infinity).

/** Thrown when the model holds something XML 1.0 cannot carry (a control character, NaN). */
export class CapSerializeError extends Error {
  readonly code: string;
  readonly path: string;
  constructor(code: string, path: string, message: string) {
    super(`${message} (at ${path === '' ? 'alert' : path})`);
    this.code = code;
    this.path = path;
  }
}

/**
 * The most digits a decimal may have. XSD 1.0 Part 2 §3.2.3 lets processors stop at 18;
 * libxml2 (xmllint) stops at 24, which covers every double's shortest form in CAP's ranges.
 * Refusing longer numbers here keeps every parsed alert serialisable as schema-valid XML.
 */
export const MAX_DECIMAL_DIGITS = 24;

/** Significant digits of decimal text (leading zeros of the integer part do not count). */
export function decimalDigits(s: string): number {
  let digits = 0;
  let leading = true;
  let fraction = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      fraction = true;
      leading = false;
    } else if (c >= 0x30 && c <= 0x39) {
      if (leading && c === 0x30 && !fraction) continue;
      leading = false;
      digits++;
    }
  }
  return digits;
}

/**
 * A finite double as xs:decimal text: the digits of JavaScript's shortest round-trip form
 * (ECMA-262 Number::toString), with any exponent written out; -0 stays "-0".
 */
export function formatDecimal(n: number, path = ''): string {
  if (!Number.isFinite(n)) {
    throw new CapSerializeError('CAP_NUMBER_NOT_FINITE', path, `${n} cannot be written as a decimal`);
  }
  const text = decimalText(n);
  if (decimalDigits(text) > MAX_DECIMAL_DIGITS) {
    throw new CapSerializeError(
      'CAP_NUMBER_TOO_PRECISE',
      path,
      `${n} needs more than ${MAX_DECIMAL_DIGITS} digits as a decimal`,
    );
  }
  return text;
}

/** Whether a number can be written as CAP XML decimal text (finite, at most 24 digits). */
export function fitsDecimal(n: number): boolean {
  return Number.isFinite(n) && decimalDigits(decimalText(n)) <= MAX_DECIMAL_DIGITS;
}

function decimalText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  let body: string;
  if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}
