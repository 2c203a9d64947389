// The element structure of a CAP message: for each complex element, its children in the order
// of the OASIS XSD sequence (CAP 1.2 §4; the 1.1 and 1.0 schemas differ in a few places, marked
// by `from`/`until`). The XML parser checks order and multiplicity against these tables; the
// model builder (xml-model.ts) checks presence and converts the text.
import type { CapVersion } from './types.ts';

export type ComplexKind = 'alert' | 'info' | 'resource' | 'area' | 'pair';

export interface ChildSpec {
  name: string;
  /** `text` for a simple element, otherwise the kind of complex element it holds. */
  kind: 'text' | ComplexKind;
  repeat: boolean;
}

const VERSION_ORDER: Record<CapVersion, number> = { '1.0': 0, '1.1': 1, '1.2': 2 };

interface SpecRow extends ChildSpec {
  from?: CapVersion;
  until?: CapVersion;
  /** In CAP 1.0, eventCode, parameter and geocode are text of the form `valueName=value`. */
  textIn10?: boolean;
}

const t = (name: string, repeat = false): SpecRow => ({ name, kind: 'text', repeat });

const ROWS: Record<ComplexKind, SpecRow[]> = {
  alert: [
    t('identifier'),
    t('sender'),
    { ...t('password'), until: '1.0' },
    t('sent'),
    t('status'),
    t('msgType'),
    t('source'),
    t('scope'),
    t('restriction'),
    t('addresses'),
    t('code', true),
    t('note'),
    t('references'),
    t('incidents'),
    { name: 'info', kind: 'info', repeat: true },
  ],
  info: [
    t('language'),
    t('category', true),
    t('event'),
    { ...t('responseType', true), from: '1.1' },
    t('urgency'),
    t('severity'),
    t('certainty'),
    t('audience'),
    { name: 'eventCode', kind: 'pair', repeat: true, textIn10: true },
    t('effective'),
    t('onset'),
    t('expires'),
    t('senderName'),
    t('headline'),
    t('description'),
    t('instruction'),
    t('web'),
    t('contact'),
    { name: 'parameter', kind: 'pair', repeat: true, textIn10: true },
    { name: 'resource', kind: 'resource', repeat: true },
    { name: 'area', kind: 'area', repeat: true },
  ],
  resource: [
    t('resourceDesc'),
    t('mimeType'),
    t('size'),
    t('uri'),
    { ...t('derefUri'), from: '1.1' },
    t('digest'),
  ],
  area: [
    t('areaDesc'),
    t('polygon', true),
    t('circle', true),
    { name: 'geocode', kind: 'pair', repeat: true, textIn10: true },
    t('altitude'),
    t('ceiling'),
  ],
  pair: [t('valueName'), t('value')],
};

/** The children of one complex element, in schema order, with an index by local name. */
export interface ElementSpec {
  children: ChildSpec[];
  index: Map<string, number>;
}

function buildSpecs(version: CapVersion): Record<ComplexKind, ElementSpec> {
  const v = VERSION_ORDER[version];
  const out = {} as Record<ComplexKind, ElementSpec>;
  for (const kind of Object.keys(ROWS) as ComplexKind[]) {
    const children: ChildSpec[] = [];
    for (const row of ROWS[kind]) {
      if (row.from !== undefined && v < VERSION_ORDER[row.from]) continue;
      if (row.until !== undefined && v > VERSION_ORDER[row.until]) continue;
      const childKind = row.textIn10 === true && version === '1.0' ? 'text' : row.kind;
      children.push({ name: row.name, kind: childKind, repeat: row.repeat });
    }
    out[kind] = { children, index: new Map(children.map((c, i) => [c.name, i])) };
  }
  return out;
}

/** Element tables per CAP version, built once at module load. */
export const ELEMENT_SPECS: Record<CapVersion, Record<ComplexKind, ElementSpec>> = {
  '1.0': buildSpecs('1.0'),
  '1.1': buildSpecs('1.1'),
  '1.2': buildSpecs('1.2'),
};

/** XML-DSig (W3C xmldsig-core §4): `ds:Signature` may follow the last info of an alert. */
export const XMLDSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
