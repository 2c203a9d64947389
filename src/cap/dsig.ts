// Enveloped XML digital signatures on CAP messages (CAP 1.2 §3.3.4.1, W3C XML-DSig 1.1).
// A Tocsin signature always covers the whole <alert> (Reference URI="" with the
// enveloped-signature transform, exclusive C14N) and sits as the last child of <alert>.
// The verifier accepts nothing else: a Reference to an Id, a second Reference or Signature, or
// a Signature elsewhere in the tree is refused before any digest is computed, because those
// are the shapes signature-wrapping attacks take.

import type { KeyObject } from 'node:crypto';
import { createHash, createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { CAP_NAMESPACES } from './types.ts';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const DS11 = 'http://www.w3.org/2009/xmldsig11#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA512 = 'http://www.w3.org/2001/04/xmlenc#sha512';

/** Signature algorithms Tocsin signs and verifies, by their XML-DSig URI (RFC 6931 §2.3). */
const ALGORITHMS = {
  'rsa-sha256': { uri: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', keyType: 'rsa' },
  'ecdsa-sha256': { uri: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256', keyType: 'ec' },
} as const;
export type DsigAlgorithm = keyof typeof ALGORITHMS;

/** Larger inputs are refused before parsing (a CAP message with inline resources stays far below). */
export const MAX_SIGNED_XML_BYTES = 8 * 1024 * 1024;

/** Why a signature is absent or not valid: a closed list of stable codes. */
export const DSIG_CODES = {
  noSignature: 'DSIG_NO_SIGNATURE',
  refused: 'DSIG_XML_REFUSED',
  malformed: 'DSIG_MALFORMED',
  badReference: 'DSIG_BAD_REFERENCE',
  unsupportedAlgorithm: 'DSIG_UNSUPPORTED_ALGORITHM',
  unknownKey: 'DSIG_UNKNOWN_KEY',
  untrustedKey: 'DSIG_UNTRUSTED_KEY',
  digestMismatch: 'DSIG_DIGEST_MISMATCH',
  signatureMismatch: 'DSIG_SIGNATURE_MISMATCH',
} as const;
export type DsigCode = (typeof DSIG_CODES)[keyof typeof DSIG_CODES];

/** A key to trust: a PEM public key or certificate, a KeyObject, or a parsed certificate. */
export type TrustedKey = string | Buffer | KeyObject | X509Certificate;

export interface VerifyOptions {
  /** When given, only these keys are accepted; otherwise the key embedded in KeyInfo is used. */
  keys?: readonly TrustedKey[];
}

export interface SignatureCheck {
  signed: boolean;
  /** The signature covers the whole alert, its digest and value check out, and the key is acceptable. */
  valid: boolean;
  /** The signing key is one of `options.keys` (always false when no keys were given). */
  trusted: boolean;
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the signing public key. */
  keyId?: string;
  /** Subject of the signing certificate, when KeyInfo carries one. */
  subject?: string;
  algorithm?: DsigAlgorithm;
  code?: DsigCode;
  reason?: string;
}

export interface SignOptions {
  /** PEM private key (PKCS#8, PKCS#1 or SEC1). */
  privateKey: string | Buffer | KeyObject;
  /** PEM certificate to embed as X509Data. */
  publicCert?: string;
  /** Public key to embed as DEREncodedKeyValue; derived from the private key when absent. */
  publicKey?: string | Buffer | KeyObject;
  algorithm: DsigAlgorithm;
}

// XML-DSig 1.1 §6.4.3: the ECDSA SignatureValue is r || s, not DER.
class EcdsaSha256 {
  getSignature(signedInfo: string, privateKey: KeyObject | string): string {
    const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
    return sign('sha256', Buffer.from(signedInfo), { key, dsaEncoding: 'ieee-p1363' }).toString('base64');
  }
  verifySignature(material: string, key: KeyObject, signatureValue: string): boolean {
    return verify(
      'sha256',
      Buffer.from(material),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureValue, 'base64'),
    );
  }
  getAlgorithmName(): string {
    return ALGORITHMS['ecdsa-sha256'].uri;
  }
}

function signedXml(options: ConstructorParameters<typeof SignedXml>[0]): SignedXml {
  const signer = new SignedXml(options);
  // Only the algorithms listed above: rsa-sha1 and HMAC are not accepted on verification either.
  signer.SignatureAlgorithms = {
    [ALGORITHMS['rsa-sha256'].uri]: signer.SignatureAlgorithms[ALGORITHMS['rsa-sha256'].uri]!,
    [ALGORITHMS['ecdsa-sha256'].uri]: EcdsaSha256 as never,
  };
  return signer;
}

/** RFC 7638 thumbprint of a public key: the id Tocsin shows and writes as KeyName. */
export function keyThumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

interface ResolvedKey {
  key: KeyObject;
  keyId: string;
  subject?: string;
}

/** Reads a PEM public key, private key (its public half is used) or certificate; throws saying why not. */
export function readTrustedKey(pem: string | Buffer): KeyObject | X509Certificate {
  try {
    if (String(pem).includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(pem);
    return createPublicKey(pem);
  } catch (error) {
    throw new Error(`not a PEM public key, private key or X.509 certificate (${(error as Error).message})`);
  }
}

function resolveKey(input: TrustedKey): ResolvedKey {
  if (input instanceof X509Certificate)
    return {
      key: input.publicKey,
      keyId: keyThumbprint(input.publicKey),
      subject: input.subject.split('\n').join(', '),
    };
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    if (String(input).includes('-----BEGIN CERTIFICATE-----')) return resolveKey(new X509Certificate(input));
    const key = createPublicKey(input);
    return { key, keyId: keyThumbprint(key) };
  }
  const key = input.type === 'private' ? createPublicKey(input) : input;
  return { key, keyId: keyThumbprint(key) };
}

/** Refuses what no CAP message needs and what makes XML parsers dangerous (entity expansion). */
// The DOM parser and C14N cost grows with the square of the nesting depth (namespace lookups
// walk the ancestors): a 200 000-deep document took minutes. A CAP message with its signature
// is about 11 deep, so a cheap linear scan refuses anything deeper than this first.
const MAX_SIGNED_XML_DEPTH = 64;

/** Element nesting depth, by a linear scan of the tags (comments and CDATA may fool it; it is only a guard). */
function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (const m of text.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth -= 1;
    else if (!m[2]) {
      depth += 1;
      if (depth > max) max = depth;
    }
  }
  return max;
}

function refusal(text: string): string | undefined {
  if (Buffer.byteLength(text, 'utf8') > MAX_SIGNED_XML_BYTES)
    return `larger than ${MAX_SIGNED_XML_BYTES} bytes`;
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text))
    return 'DOCTYPE and entity declarations are not allowed';
  const depth = maxDepth(text);
  if (depth > MAX_SIGNED_XML_DEPTH)
    return `elements are nested ${depth} deep; at most ${MAX_SIGNED_XML_DEPTH} are allowed`;
  return undefined;
}

function decode(xml: string | Uint8Array): string {
  return typeof xml === 'string' ? xml : new TextDecoder('utf-8', { fatal: true }).decode(xml);
}

function parseStrict(text: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
}

function childElements(node: Element, ns: string, name: string): Element[] {
  const out: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (
      child.nodeType === 1 &&
      (child as Element).namespaceURI === ns &&
      (child as Element).localName === name
    ) {
      out.push(child as Element);
    }
  }
  return out;
}

function lastElementChild(node: Element): Element | undefined {
  for (let child = node.lastChild; child; child = child.previousSibling) {
    if (child.nodeType === 1) return child as Element;
  }
  return undefined;
}

function fail(code: DsigCode, reason: string, extra: Partial<SignatureCheck> = {}): SignatureCheck {
  return { signed: true, valid: false, trusted: false, ...extra, code, reason };
}

/** What SignedInfo must say for a Tocsin-acceptable signature; returns a refusal or the algorithm. */
function checkSignedInfo(signature: Element): { algorithm: DsigAlgorithm } | SignatureCheck {
  const signedInfos = childElements(signature, DS, 'SignedInfo');
  const signedInfo = signedInfos[0];
  if (!signedInfo || signedInfos.length > 1)
    return fail(DSIG_CODES.malformed, 'Signature must have exactly one SignedInfo');
  const c14n = childElements(signedInfo, DS, 'CanonicalizationMethod')[0]?.getAttribute('Algorithm');
  if (c14n !== EXC_C14N && c14n !== C14N)
    return fail(DSIG_CODES.unsupportedAlgorithm, `canonicalization ${c14n ?? '(none)'} is not supported`);
  const method = childElements(signedInfo, DS, 'SignatureMethod')[0]?.getAttribute('Algorithm');
  const algorithm = (Object.keys(ALGORITHMS) as DsigAlgorithm[]).find(
    (name) => ALGORITHMS[name].uri === method,
  );
  if (!algorithm)
    return fail(DSIG_CODES.unsupportedAlgorithm, `signature method ${method ?? '(none)'} is not supported`);
  const references = childElements(signedInfo, DS, 'Reference');
  const reference = references[0];
  if (!reference || references.length > 1) {
    return fail(
      DSIG_CODES.badReference,
      `the signature must have exactly one Reference, it has ${references.length}`,
    );
  }
  if (!reference.hasAttribute('URI') || reference.getAttribute('URI') !== '') {
    return fail(
      DSIG_CODES.badReference,
      `the Reference must be URI="" (the whole alert), not URI="${reference.getAttribute('URI') ?? ''}"`,
    );
  }
  const transformsNode = childElements(reference, DS, 'Transforms')[0];
  const transforms = transformsNode
    ? childElements(transformsNode, DS, 'Transform').map((t) => t.getAttribute('Algorithm'))
    : [];
  const [first, second, ...rest] = transforms;
  if (
    first !== ENVELOPED ||
    (second !== undefined && second !== EXC_C14N && second !== C14N) ||
    rest.length > 0
  ) {
    return fail(
      DSIG_CODES.badReference,
      `the Reference transforms must be enveloped-signature then C14N, not ${transforms.join(', ') || '(none)'}`,
    );
  }
  const digest = childElements(reference, DS, 'DigestMethod')[0]?.getAttribute('Algorithm');
  if (digest !== SHA256 && digest !== SHA512)
    return fail(DSIG_CODES.unsupportedAlgorithm, `digest method ${digest ?? '(none)'} is not supported`);
  return { algorithm };
}

/** The key KeyInfo carries: an X.509 certificate or a DER SubjectPublicKeyInfo (XML-DSig 1.1 §4.5.7). */
function embeddedKey(signature: Element): { resolved?: ResolvedKey; keyName?: string } | SignatureCheck {
  const keyInfo = childElements(signature, DS, 'KeyInfo')[0];
  if (!keyInfo) return {};
  const keyName = childElements(keyInfo, DS, 'KeyName')[0]?.textContent?.trim();
  const named = keyName ? { keyName } : {};
  try {
    const x509Data = childElements(keyInfo, DS, 'X509Data')[0];
    const certText = x509Data ? childElements(x509Data, DS, 'X509Certificate')[0]?.textContent : undefined;
    if (certText)
      return {
        ...named,
        resolved: resolveKey(new X509Certificate(Buffer.from(certText.replace(/\s+/g, ''), 'base64'))),
      };
    const der = childElements(keyInfo, DS11, 'DEREncodedKeyValue')[0]?.textContent;
    if (der) {
      const key = createPublicKey({
        key: Buffer.from(der.replace(/\s+/g, ''), 'base64'),
        format: 'der',
        type: 'spki',
      });
      return { ...named, resolved: { key, keyId: keyThumbprint(key) } };
    }
  } catch (error) {
    return fail(DSIG_CODES.malformed, `KeyInfo holds an unreadable key: ${(error as Error).message}`);
  }
  return named;
}

function isCheck(value: object): value is SignatureCheck {
  return 'signed' in value;
}

/** Verifies the enveloped XML-DSig signature of a CAP message; says exactly why when it is not valid. */
export function verifyCapSignature(xml: string | Uint8Array, options: VerifyOptions = {}): SignatureCheck {
  try {
    return verifyUnguarded(xml, options);
  } catch (error) {
    // Hostile shapes (say, nesting deep enough to exhaust the stack in C14N) end here, not in a crash.
    if (error instanceof TrustedKeyError) throw error;
    const reason = `the signature could not be checked: ${(error as Error).message}`;
    return { signed: false, valid: false, trusted: false, code: DSIG_CODES.malformed, reason };
  }
}

class TrustedKeyError extends Error {}

function verifyUnguarded(xml: string | Uint8Array, options: VerifyOptions): SignatureCheck {
  let text: string;
  try {
    text = decode(xml);
  } catch {
    return {
      signed: false,
      valid: false,
      trusted: false,
      code: DSIG_CODES.malformed,
      reason: 'the document is not valid UTF-8',
    };
  }
  const refused = refusal(text);
  if (refused)
    return { signed: false, valid: false, trusted: false, code: DSIG_CODES.refused, reason: refused };
  let doc: Document;
  try {
    doc = parseStrict(text);
  } catch (error) {
    return {
      signed: false,
      valid: false,
      trusted: false,
      code: DSIG_CODES.malformed,
      reason: `not well-formed XML: ${(error as Error).message}`,
    };
  }
  const root = doc.documentElement;
  const capNamespaces: readonly string[] = Object.values(CAP_NAMESPACES);
  if (root?.localName !== 'alert' || !capNamespaces.includes(root.namespaceURI ?? '')) {
    return {
      signed: false,
      valid: false,
      trusted: false,
      code: DSIG_CODES.malformed,
      reason: 'the root element is not a CAP <alert>',
    };
  }
  const signatures = Array.from(doc.getElementsByTagNameNS(DS, 'Signature'));
  const signature = signatures[0];
  if (!signature)
    return {
      signed: false,
      valid: false,
      trusted: false,
      code: DSIG_CODES.noSignature,
      reason: 'no signature',
    };
  if (signatures.length > 1)
    return fail(
      DSIG_CODES.badReference,
      `the message has ${signatures.length} Signature elements; exactly one is allowed`,
    );
  if (signature.parentNode !== root || lastElementChild(root) !== signature) {
    return fail(DSIG_CODES.badReference, 'the Signature must be the last child element of <alert>');
  }
  const info = checkSignedInfo(signature);
  if (isCheck(info)) return info;
  const { algorithm } = info;
  const embedded = embeddedKey(signature);
  if (isCheck(embedded)) return { ...embedded, algorithm };

  let trustedKeys: ResolvedKey[] | undefined;
  try {
    trustedKeys = options.keys?.map(resolveKey);
  } catch (error) {
    throw new TrustedKeyError(`a trusted key could not be read: ${(error as Error).message}`);
  }
  const matchTrusted = trustedKeys?.find(
    // With no key in KeyInfo at all, a single trusted key is the only candidate.
    (k) =>
      k.keyId === (embedded.resolved?.keyId ?? embedded.keyName) ||
      (!embedded.resolved && !embedded.keyName && trustedKeys?.length === 1),
  );
  const chosen = matchTrusted ?? embedded.resolved;
  const who: Partial<SignatureCheck> = { algorithm };
  if (chosen) {
    who.keyId = chosen.keyId;
    const subject = embedded.resolved?.subject ?? chosen.subject;
    if (subject !== undefined) who.subject = subject;
  } else if (embedded.keyName) {
    who.keyId = embedded.keyName;
  }
  if (!chosen) {
    return fail(
      trustedKeys ? DSIG_CODES.untrustedKey : DSIG_CODES.unknownKey,
      trustedKeys
        ? `the signing key ${embedded.keyName ?? '(unnamed)'} is not among the trusted keys`
        : 'KeyInfo carries no key, and no trusted keys were given',
      who,
    );
  }
  if (chosen.key.asymmetricKeyType !== ALGORITHMS[algorithm].keyType) {
    return fail(
      DSIG_CODES.unsupportedAlgorithm,
      `a ${chosen.key.asymmetricKeyType} key cannot make an ${algorithm} signature`,
      who,
    );
  }

  const checker = signedXml({ publicCert: chosen.key as never, getCertFromKeyInfo: () => null });
  try {
    checker.loadSignature(signature as never);
    const ok = checker.checkSignature(text);
    if (!ok) {
      return fail(
        DSIG_CODES.digestMismatch,
        'digest mismatch: the alert was changed after it was signed',
        who,
      );
    }
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('invalid signature: the signature value')) {
      return fail(
        DSIG_CODES.signatureMismatch,
        'signature value mismatch: SignedInfo was not signed by this key or was changed',
        who,
      );
    }
    return fail(DSIG_CODES.malformed, `the signature could not be checked: ${message}`, who);
  }
  if (trustedKeys && !matchTrusted) {
    return fail(DSIG_CODES.untrustedKey, 'the signing key is not among the trusted keys', who);
  }
  return { signed: true, valid: true, trusted: matchTrusted !== undefined, ...who };
}

function publicKeyInfo(options: SignOptions): string {
  const source = options.publicKey ?? options.privateKey;
  const publicKey =
    typeof source === 'object' && 'type' in source && source.type === 'public'
      ? source
      : createPublicKey(source);
  const keyName = `<KeyName>${keyThumbprint(publicKey)}</KeyName>`;
  if (options.publicCert) {
    const der = new X509Certificate(options.publicCert).raw.toString('base64');
    return `${keyName}<X509Data><X509Certificate>${der}</X509Certificate></X509Data>`;
  }
  const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return `${keyName}<dsig11:DEREncodedKeyValue xmlns:dsig11="${DS11}">${spki}</dsig11:DEREncodedKeyValue>`;
}

/** Signs a CAP message: an enveloped signature over the whole alert, appended as its last child. */
export function signCapXml(xml: string, options: SignOptions): string {
  const refused = refusal(xml);
  if (refused) throw new Error(`cannot sign: ${refused}`);
  const doc = parseStrict(xml);
  const root = doc.documentElement;
  if (root?.localName !== 'alert') throw new Error('cannot sign: the root element is not a CAP <alert>');
  if (doc.getElementsByTagNameNS(DS, 'Signature').length > 0)
    throw new Error('cannot sign: the message is already signed');
  const spec = ALGORITHMS[options.algorithm];
  const privateKey =
    typeof options.privateKey === 'string' || Buffer.isBuffer(options.privateKey)
      ? options.privateKey
      : options.privateKey.export({ format: 'pem', type: 'pkcs8' });
  const keyInfo = publicKeyInfo(options);
  const signer = signedXml({
    privateKey,
    signatureAlgorithm: spec.uri,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: () => keyInfo,
  });
  signer.addReference({
    xpath: '/*',
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: SHA256,
    isEmptyUri: true,
  });
  signer.computeSignature(xml, { location: { reference: '/*', action: 'append' } });
  return signer.getSignedXml();
}
