// Prometheus metrics of one hub, in a registry of its own (tests run several hubs in one
// process). Request latency is observed per route pattern, never per raw URL, so the label
// set stays bounded however clients spell their paths.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/store.ts';

export interface Metrics {
  registry: Registry;
  /** Counts an event this node committed (fed by the alert service's onEvent). */
  observeEvent(event: { type: string }): void;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

// Buckets from 0.5 ms: the state endpoint answers from memory in well under a millisecond.
const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(deps: { store: Store; processMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (deps.processMetrics) collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'tocsin_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers: [registry],
  });
  const events = new Counter({
    name: 'tocsin_events_total',
    help: 'Events this node committed since it started, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const issued = new Counter({
    name: 'tocsin_alerts_issued_total',
    help: 'Alerts this node issued (alert.issued events) since it started.',
    registers: [registry],
  });
  new Gauge({
    name: 'tocsin_active_incidents',
    help: 'Incidents active now (not ended), from the store.',
    registers: [registry],
    async collect() {
      this.set((await deps.store.listActiveIncidents()).length);
    },
  });
  new Gauge({
    name: 'tocsin_event_log_seq',
    help: 'The latest sequence number of the event log.',
    registers: [registry],
    async collect() {
      this.set(await deps.store.latestSeq());
    },
  });
  return {
    registry,
    observeEvent(event) {
      events.inc({ type: event.type });
      if (event.type === 'alert.issued') issued.inc();
    },
    observeRequest(method, route, status, seconds) {
      latency.observe({ method, route, status: String(status) }, seconds);
    },
  };
}
