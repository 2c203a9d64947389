// What the MQTT channel writes, as pure functions: topic names, the retained region state, and
// the Home Assistant discovery configs (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery).
// A Home Assistant user adds the broker and gets one binary sensor per region and event type,
// named like "Sumy Oblast — Air raid alert", reading the retained state topic.
import type { PreparedJson, RegionStateEntry } from '../../alerts/types.ts';
import type { EventTypeDefinition } from '../../cap/profiles/event-types.ts';
import type { Region } from '../../geo/types.ts';

export interface MqttTopics {
  /** `online` / `offline`, retained; `offline` is the connection's last will (LWT). */
  status: string;
  state(code: string): string;
  events(code: string): string;
}

export function mqttTopics(prefix: string): MqttTopics {
  return {
    status: `${prefix}/v1/status`,
    state: (code) => `${prefix}/v1/state/${topicLevel(code)}`,
    events: (code) => `${prefix}/v1/events/${topicLevel(code)}`,
  };
}

/** A region code as one topic level: MQTT wildcards and separators (+ # /) never reach the broker. */
export function topicLevel(code: string): string {
  return code.replace(/[+#/]/g, '_').replaceAll(String.fromCharCode(0), '_');
}

/** The retained state of one region: what is active there now (an alert on an ancestor counts). */
export interface MqttRegionState {
  region: string;
  name: string | null;
  /** True when an Actual alert is active: drills, tests and exercises never switch a sensor on. */
  active: boolean;
  /** Event types of the Actual alerts active here, sorted: what the Home Assistant sensors read. */
  events: string[];
  /** Every active alert here, drills included, each with its status. */
  alerts: RegionStateEntry[];
}

/** The state message of a region from the alert service's prepared region state. */
export function mqttStateOf(region: Region | undefined, code: string, prepared: PreparedJson): string {
  const parsed = JSON.parse(prepared.body) as { alerts?: RegionStateEntry[] };
  const alerts = parsed.alerts ?? [];
  const events = [...new Set(alerts.filter((a) => a.status === 'Actual').map((a) => a.event))].sort();
  const state: MqttRegionState = {
    region: code,
    name: region?.names.en ?? region?.names.uk ?? null,
    active: events.length > 0,
    events,
    alerts,
  };
  return JSON.stringify(state);
}

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

/** The object id of a sensor: `<prefix>_<code>_<event>`, in the characters discovery allows. */
export function discoveryObjectId(topicPrefix: string, code: string, event: string): string {
  return `${topicPrefix}_${code}_${event}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** One retained discovery config: a binary sensor (device_class safety: on means unsafe). */
export function discoveryMessage(
  discoveryPrefix: string,
  topicPrefix: string,
  region: Region,
  eventType: EventTypeDefinition,
): DiscoveryMessage {
  const topics = mqttTopics(topicPrefix);
  const objectId = discoveryObjectId(topicPrefix, region.code, eventType.code);
  const regionName = region.names.en ?? region.names.uk ?? region.code;
  const eventName = eventType.names.en ?? eventType.names.uk ?? eventType.code;
  const config = {
    name: `${regionName} — ${eventName}`,
    unique_id: objectId,
    device_class: 'safety',
    state_topic: topics.state(region.code),
    // The event code is a JSON string literal inside the Jinja template: no quoting surprises.
    value_template: `{{ 'ON' if ${JSON.stringify(eventType.code)} in value_json.events else 'OFF' }}`,
    payload_on: 'ON',
    payload_off: 'OFF',
    json_attributes_topic: topics.state(region.code),
    availability_topic: topics.status,
    payload_available: 'online',
    payload_not_available: 'offline',
    qos: 1,
    origin: { name: 'Tocsin' },
  };
  return { topic: `${discoveryPrefix}/binary_sensor/${objectId}/config`, payload: JSON.stringify(config) };
}
