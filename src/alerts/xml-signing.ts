// XML-DSig on issued CAP XML (issue 5 §5): when an XML signing key is configured, the alert
// service signs every message it stores (signCapXml, an enveloped signature over the whole
// <alert>), so GET /v1/alerts/{id}.xml and every feed serve the signed bytes.
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type DsigAlgorithm, keyThumbprint, signCapXml, verifyCapSignature } from '../cap/dsig.ts';

export interface XmlSigner {
  sign(xml: string): string;
  /** RFC 7638 thumbprint of the public key, as written in each signature's KeyName. */
  keyId: string;
  publicKey: KeyObject;
}

/** The algorithm follows the key: RSA → rsa-sha256, EC → ecdsa-sha256 (RFC 6931 §2.3). */
function algorithmOf(key: KeyObject): DsigAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'rsa-sha256';
  if (key.asymmetricKeyType === 'ec') return 'ecdsa-sha256';
  throw new Error(
    `XML signing key: ${key.asymmetricKeyType ?? 'unknown'} keys are not supported (use RSA or EC P-256)`,
  );
}

/** Builds a signer from PEM texts; checks once that a signature it makes verifies. */
export function createXmlSigner(keyPem: string, certPem?: string): XmlSigner {
  const privateKey = createPrivateKey(keyPem);
  const publicKey = createPublicKey(privateKey);
  if (certPem !== undefined) {
    const cert = new X509Certificate(certPem);
    if (!cert.publicKey.equals(publicKey))
      throw new Error('XML signing certificate does not belong to the key');
  }
  const algorithm = algorithmOf(privateKey);
  const sign = (xml: string) =>
    signCapXml(xml, {
      privateKey,
      algorithm,
      publicKey,
      ...(certPem === undefined ? {} : { publicCert: certPem }),
    });
  const probe = sign(
    '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>probe</identifier></alert>',
  );
  const check = verifyCapSignature(probe, { keys: [publicKey] });
  if (!check.valid)
    throw new Error(`XML signing key does not produce valid signatures: ${check.reason ?? ''}`);
  return { sign, keyId: keyThumbprint(publicKey), publicKey };
}

/** Reads the configured key (and certificate) files; undefined when no key is configured. */
export function loadXmlSigner(keyFile: string, certFile: string): XmlSigner | undefined {
  if (keyFile === '') return undefined;
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the XML signing ${what} ${file}: ${(error as Error).message}`);
    }
  };
  return createXmlSigner(read(keyFile, 'key'), certFile === '' ? undefined : read(certFile, 'certificate'));
}
