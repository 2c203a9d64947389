// The OASIS Common Alerting Protocol 1.2 data model (CAP 1.2 §3.2), as TypeScript.
// Element names follow the specification. Repeatable elements are arrays (empty when absent);
// optional single elements are absent properties. Date-times are kept as the text of the
// message (CAP 1.2 §3.3.2: "YYYY-MM-DDThh:mm:ssXzh:zm"), so offsets survive a round trip;
// the validator checks their form. Polygons and circles are parsed into numbers.

/** CAP 1.2 §3.2.1 `status`. */
export const STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export type Status = (typeof STATUSES)[number];

/** CAP 1.2 §3.2.1 `msgType`. */
export const MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export type MsgType = (typeof MSG_TYPES)[number];

/** CAP 1.2 §3.2.1 `scope`. */
export const SCOPES = ['Public', 'Restricted', 'Private'] as const;
export type Scope = (typeof SCOPES)[number];

/** CAP 1.2 §3.2.2 `category`. */
export const CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** CAP 1.2 §3.2.2 `responseType`. */
export const RESPONSE_TYPES = [
  'Shelter',
  'Evacuate',
  'Prepare',
  'Execute',
  'Avoid',
  'Monitor',
  'Assess',
  'AllClear',
  'None',
] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/** CAP 1.2 §3.2.2 `urgency`. */
export const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** CAP 1.2 §3.2.2 `severity`. */
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** CAP 1.2 §3.2.2 `certainty` ("Very Likely" of CAP 1.0 maps to `Likely` on input). */
export const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export type Certainty = (typeof CERTAINTIES)[number];

/** A `valueName`/`value` pair: eventCode, parameter and geocode (CAP 1.2 §3.2.2, §3.2.4). */
export interface NamedValue {
  valueName: string;
  value: string;
}

/** One WGS 84 point of a polygon, in CAP order: latitude first (CAP 1.2 §3.2.4 `polygon`). */
export type LatLon = readonly [lat: number, lon: number];

/** CAP 1.2 §3.2.4 `circle`: a centre point and a radius in kilometres. */
export interface Circle {
  lat: number;
  lon: number;
  radiusKm: number;
}

/** CAP 1.2 §3.2.3 `resource`. */
export interface Resource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  derefUri?: string;
  digest?: string;
}

/** CAP 1.2 §3.2.4 `area`. */
export interface Area {
  areaDesc: string;
  polygon: LatLon[][];
  circle: Circle[];
  geocode: NamedValue[];
  /** Feet above mean sea level (CAP 1.2 §3.2.4). */
  altitude?: number;
  /** Feet above mean sea level; only with `altitude`. */
  ceiling?: number;
}

/** CAP 1.2 §3.2.2 `info`. */
export interface Info {
  /** RFC 3066 language tag; CAP's default when absent is `en-US`. */
  language?: string;
  category: Category[];
  event: string;
  responseType: ResponseType[];
  urgency: Urgency;
  severity: Severity;
  certainty: Certainty;
  audience?: string;
  eventCode: NamedValue[];
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameter: NamedValue[];
  resource: Resource[];
  area: Area[];
}

/** CAP 1.2 §3.2.1 `alert`: one CAP message. */
export interface Alert {
  identifier: string;
  sender: string;
  sent: string;
  status: Status;
  msgType: MsgType;
  source?: string;
  scope: Scope;
  restriction?: string;
  addresses?: string;
  code: string[];
  note?: string;
  /** Space-separated `sender,identifier,sent` triplets, kept as written (CAP 1.2 §3.2.1). */
  references?: string;
  incidents?: string;
  info: Info[];
}

/** The CAP 1.2 namespace, and those of the earlier versions accepted on input. */
export const CAP_NAMESPACES = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
  '1.0': 'http://www.incident.com/cap/1.0',
} as const;
export type CapVersion = keyof typeof CAP_NAMESPACES;

/** Where in the source text something stands (1-based). */
export interface Position {
  line: number;
  column: number;
}

/** One problem found in a CAP message: a parse error or a validation finding. */
export interface Finding {
  /** Stable code, e.g. `CAP_POLYGON_NOT_CLOSED`. */
  code: string;
  severity: 'error' | 'warning';
  /** Path into the model, e.g. `info[0].area[1].polygon[0]`; empty for the whole document. */
  path: string;
  /** What is wrong, for a person. */
  message: string;
  line?: number;
  column?: number;
}
