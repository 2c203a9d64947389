// The shapes of the hub's API the pages read (see DESIGN.md and docs/streams.md).

export interface EventType {
  code: string;
  names: Record<string, string>;
  severity: string;
  urgency: string;
  certainty: string;
  headline: Record<string, string>;
  instruction: Record<string, string>;
}

export interface RegionSummary {
  code: string;
  parent: string | null;
  level: string;
  depth: number;
  names: Record<string, string>;
}

export interface RegionLink {
  code: string;
  coverage: number;
  whole: boolean;
}

export interface AlertView {
  id: string;
  incident: string;
  state: string;
  event: string;
  status: string;
  msgType: string;
  sent: string;
  expires: string | null;
  regions: RegionLink[];
  author: string;
  approver: string | null;
  active: boolean;
  endReason: string | null;
  cap: { info?: { language?: string; headline?: string; instruction?: string }[] };
}

export interface StatsRow {
  region: string;
  event: string;
  count: number;
  totalSeconds: number;
  longestSeconds: number;
  underAlertSeconds: number;
}
