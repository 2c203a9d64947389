// The alert lifecycle: the one entry point used by HTTP, the CLI and feed ingest. Each method
// reads as a script: authorise, check, build the change, commit it in one transaction (the
// event is signed inside it, once seq is known), then run the side effects in afterCommit().
import { createHash } from 'node:crypto';
import { alertAudit, LIFECYCLE_ACTIONS } from '../audit/entries.ts';
import type { Bus, BusEvent } from '../bus/bus.ts';
import { DEFAULT_EVENT_TYPES, type EventTypeDefinition } from '../cap/profiles/event-types.ts';
import { createTocsinProfile } from '../cap/profiles/tocsin.ts';
import type { Alert } from '../cap/types.ts';
import type { RegionTree } from '../geo/types.ts';
import { canonicalJson } from '../json/canonical.ts';
import {
  type AlertCommit,
  type AlertRecord,
  type EndReason,
  type EventRecord,
  type IncidentRecord,
  type Store,
  StoreConflictError,
} from '../store/store.ts';
import { type Actor, SYSTEM_ACTOR } from './actor.ts';
import { type Authorize, allowEverything } from './authorize.ts';
import { type Clock, formatCapTime, type Ids, randomIds, systemClock } from './clock.ts';
import { type CorrectionTexts, correctionAlert, DEFAULT_CORRECTION_TEXTS } from './correction.ts';
import { endingAlert } from './ending.ts';
import { TocsinError } from './errors.ts';
import type { SigningKey } from './event-signing.ts';
import { EVENT_TYPES, type EventType, eventBody, eventBuilder, incidentFromEvent, toView } from './events.ts';
import { DEFAULT_PENDING_TTL_MS, defaultNeedsApproval, type NeedsApproval } from './policy.ts';
import { checkAlert, type PrepareContext, type PreparedAlert, readInput, referenceOf } from './prepare.ts';
import { createOrderedPublisher, type OrderedPublisher } from './publisher.ts';
import { computePeriodStats, listAlerts } from './queries.ts';
import { createRegionState } from './region-state.ts';
import { createScheduler } from './scheduler.ts';
import type { AlertInput, AlertService, ChangeResult, IssueOptions, IssueResult } from './types.ts';

export type { AlertService } from './types.ts';

export interface AlertServiceDeps {
  store: Store;
  bus: Bus;
  tree: RegionTree;
  /** The current signing key (read on every event, so a rotation takes effect at once). */
  signingKey: () => SigningKey;
  /** CAP `sender` of hub-made alerts, e.g. `tocsin@localhost`. */
  sender: string;
  clock?: Clock;
  ids?: Ids;
  /** IANA zone for `sent` offsets (default UTC, written -00:00). */
  timeZone?: string;
  eventTypes?: readonly EventTypeDefinition[];
  needsApproval?: NeedsApproval;
  pendingTtlMs?: number;
  authorize?: Authorize;
  /** Called after each committed event (metrics). */
  onEvent?: (event: EventRecord) => void;
  /** Errors of background work (publishing, the scheduler); never thrown to callers. */
  onError?: (error: unknown, context: string) => void;
  /** Texts of the one-action correction (a cancel without a body), by language. */
  correctionTexts?: CorrectionTexts;
  /** Signs the CAP XML of every stored alert (enveloped XML-DSig) when an XML signing key is configured. */
  signXml?: (xml: string) => string;
}

const EXPIRE_BATCH = 100;
/** What the hub has published: readable by anyone. */
const PUBLISHED_STATES: ReadonlySet<string> = new Set(['issued', 'superseded', 'ended']);

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function createAlertService(deps: AlertServiceDeps): AlertService {
  const { store, tree } = deps;
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const authorize = deps.authorize ?? allowEverything;
  const needsApproval = deps.needsApproval ?? defaultNeedsApproval;
  const pendingTtlMs = deps.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS;
  const onError = deps.onError ?? (() => {});
  const eventTypes = new Map((deps.eventTypes ?? DEFAULT_EVENT_TYPES).map((t) => [t.code, t]));
  const profile = createTocsinProfile({
    eventTypes: [...eventTypes.values()],
    isKnownRegion: (code) => tree.has(code),
  });
  const formatTime = (ms: number) => formatCapTime(ms, deps.timeZone);
  const regionState = createRegionState(tree);
  const scheduler = createScheduler(
    store,
    clock,
    () => expireDue(),
    (e) => onError(e, 'scheduler'),
  );
  let publisher: OrderedPublisher | undefined;
  let unsubscribe = () => {};

  function applyFromBus(event: BusEvent): void {
    try {
      const incident = incidentFromEvent(event);
      if (incident) regionState.apply(incident, event.seq, clock.now());
    } catch (error) {
      onError(error, 'bus event');
    }
  }

  const context = (): PrepareContext => ({
    tree,
    profile,
    eventTypes,
    nowMs: clock.now(),
    sender: deps.sender,
    identifier: () => ids.alertId(),
    formatTime,
  });

  /** Every side effect of a committed change, in order. Failures are reported, never thrown: the change is durable. */
  async function afterCommit(
    event: EventRecord,
    incident: IncidentRecord | undefined,
    scheduleChanged: boolean,
  ): Promise<void> {
    if (incident) regionState.apply(incident, event.seq, clock.now());
    try {
      await publisher?.offer(event);
    } catch (error) {
      onError(error, 'publish');
    }
    deps.onEvent?.(event);
    if (scheduleChanged) await scheduler.rearm();
  }

  function makeEvent(
    type: EventType,
    alert: AlertRecord | PreparedRecord,
    incident: IncidentRecord | undefined,
    reason?: EndReason | string,
  ) {
    const regions = (incident?.regions ?? alert.regions).map((r) => r.code);
    const body = eventBody(alert, incident, reason === undefined ? {} : { reason });
    return eventBuilder(type, ids.eventId(), clock.now(), regions, body, deps.signingKey());
  }

  async function commit(change: AlertCommit): Promise<EventRecord> {
    try {
      return await store.commitAlertChange(change);
    } catch (error) {
      if (error instanceof StoreConflictError && error.kind === 'duplicate_alert') {
        throw new TocsinError('ALERT_DUPLICATE_IDENTIFIER', error.message);
      }
      throw error;
    }
  }

  async function currentOf(id: string): Promise<{ alert: AlertRecord; incident: IncidentRecord }> {
    const given = await store.getAlert(id);
    if (!given) throw new TocsinError('ALERT_NOT_FOUND', `No alert ${JSON.stringify(id.slice(0, 200))}`);
    if (given.state === 'pending')
      throw new TocsinError('ALERT_NEEDS_APPROVAL', 'The alert is still pending: approve or reject it first');
    if (given.state === 'rejected' || given.state === 'lapsed')
      throw new TocsinError('ALERT_ALREADY_ENDED', `The alert was ${given.state} and never issued`);
    const incident = await store.getIncident(given.incidentId);
    if (!incident || incident.endedMs !== null) {
      throw new TocsinError(
        'ALERT_ALREADY_ENDED',
        `The incident ${given.incidentId} has already ended (${incident?.endReason ?? 'unknown'})`,
      );
    }
    const alert =
      incident.currentAlertId === given.id ? given : await store.getAlert(incident.currentAlertId);
    if (!alert) throw new TocsinError('ALERT_CONFLICT');
    return { alert, incident };
  }

  /** An update, all-clear or cancel of the incident `id` belongs to. */
  async function change(
    actor: Actor,
    id: string,
    kind: 'update' | 'all-clear' | 'cancel',
    input: AlertInput | undefined,
    options: IssueOptions = {},
  ): Promise<ChangeResult> {
    const key = checkedKey(options.idempotencyKey);
    const hash = requestHash({ op: kind, id, input: input ?? null });
    if (key !== undefined) {
      const earlier = await replayChange(actor, key, hash);
      if (earlier) return earlier;
    }
    const { alert: current, incident } = await currentOf(id);
    authorize(actor, `alert.${kind}`, {
      regions: incident.regions.map((r) => r.code),
      alertId: current.id,
      authorId: current.authorId,
      status: current.status,
    });
    const ctx = context();
    const msgType = kind === 'cancel' ? 'Cancel' : 'Update';
    const cap = input
      ? readInput(input, ctx, {
          msgType,
          references: referenceOf(current.cap),
          defaults: {
            event: incident.eventType,
            regions: current.regions.map((r) => r.code),
            status: current.status,
          },
        })
      : kind === 'cancel'
        ? correctionAlert(current.cap, incident, {
            tree,
            texts: deps.correctionTexts ?? DEFAULT_CORRECTION_TEXTS,
            identifier: ids.alertId(),
            sent: formatTime(ctx.nowMs),
            sender: deps.sender,
          })
        : endingAlert(current.cap, kind, {
            identifier: ids.alertId(),
            sent: formatTime(ctx.nowMs),
            sender: deps.sender,
          });
    if (kind !== 'update' && input) forceEnding(cap, kind);
    checkContinues(cap, current, msgType, kind);
    const prepared = checkAlert(cap, ctx);
    const ends = kind !== 'update';
    const record = newRecord(prepared, actor, current.incidentId, ends ? 'ended' : 'issued');
    const endReason: EndReason | null =
      kind === 'cancel' ? 'cancelled' : kind === 'all-clear' ? 'all_clear' : null;
    const next: IncidentRecord = {
      ...incident,
      currentAlertId: record.id,
      regions: ends ? incident.regions : record.regions,
      endedMs: ends ? ctx.nowMs : null,
      endReason,
    };
    const type = ends ? EVENT_TYPES.ended : EVENT_TYPES.updated;
    let event: EventRecord;
    try {
      event = await commit({
        expect: [{ alertId: current.id, state: 'issued' }],
        insertAlert: record,
        setAlertStates: [{ alertId: current.id, state: 'superseded' }],
        incident: next,
        schedule: {
          removeAlertIds: [current.id],
          ...(!ends && record.expiresMs !== null
            ? { add: [{ alertId: record.id, kind: 'expire' as const, dueMs: record.expiresMs }] }
            : {}),
        },
        ...(key === undefined
          ? {}
          : {
              idempotency: {
                actorId: actor.id,
                key,
                requestHash: hash,
                alertId: record.id,
                outcome: 'issued' as const,
                createdMs: ctx.nowMs,
              },
            }),
        event: makeEvent(type, record, next, endReason ?? undefined),
        audit: alertAudit(actor, changeAction(kind, input !== undefined), record, ctx.nowMs, {
          references: current.id,
        }),
      });
    } catch (error) {
      if (error instanceof StoreConflictError && error.kind === 'idempotency' && key !== undefined) {
        const earlier = await replayChange(actor, key, hash);
        if (earlier) return earlier;
      }
      if (error instanceof StoreConflictError && error.kind === 'state') {
        await currentOf(current.id); // throws ALERT_ALREADY_ENDED when the incident ended meanwhile
        throw new TocsinError('ALERT_CONFLICT');
      }
      throw error;
    }
    await afterCommit(event, next, true);
    return {
      alert: toView({ ...record, createdSeq: event.seq, updatedSeq: event.seq }, next),
      event,
      replayed: false,
    };
  }

  /** The first result of an update / all-clear / cancel sent again with the same key. */
  async function replayChange(actor: Actor, key: string, hash: string): Promise<ChangeResult | undefined> {
    const first = await idempotencyRecord(actor, key, hash);
    if (!first) return undefined;
    const record = await store.getAlert(first.alertId);
    if (!record) throw new TocsinError('ALERT_NOT_FOUND', "The first request's alert is gone");
    const [event] = await store.readEvents(record.createdSeq - 1, 1);
    if (!event || event.seq !== record.createdSeq)
      throw new TocsinError('ALERT_CONFLICT', "The first request's event is no longer retained");
    return { alert: toView(record, await store.getIncident(record.incidentId)), event, replayed: true };
  }

  async function idempotencyRecord(actor: Actor, key: string, hash: string) {
    const first = await store.getIdempotency(actor.id, key);
    if (first && first.requestHash !== hash) {
      throw new TocsinError(
        'IDEMPOTENCY_CONFLICT',
        'This Idempotency-Key was already used with a different request',
      );
    }
    return first;
  }

  function newRecord(
    prepared: PreparedAlert,
    actor: Actor,
    incidentId: string,
    state: AlertRecord['state'],
  ): PreparedRecord {
    return {
      id: prepared.cap.identifier,
      incidentId,
      state,
      eventType: prepared.eventType,
      status: prepared.cap.status,
      msgType: prepared.cap.msgType,
      sent: prepared.cap.sent,
      sentMs: prepared.sentMs,
      expiresMs: prepared.expiresMs,
      authorId: actor.id,
      approverId: null,
      cap: prepared.cap,
      xml: deps.signXml ? deps.signXml(prepared.xml) : prepared.xml,
      regions: prepared.regions,
    };
  }

  function incidentFor(record: PreparedRecord, startedMs: number, since: string): IncidentRecord {
    return {
      id: record.incidentId,
      eventType: record.eventType,
      status: record.status,
      currentAlertId: record.id,
      regions: record.regions,
      since,
      startedMs,
      endedMs: null,
      endReason: null,
    };
  }

  async function replay(actor: Actor, key: string, hash: string): Promise<IssueResult | undefined> {
    const first = await idempotencyRecord(actor, key, hash);
    if (!first) return undefined;
    return { outcome: first.outcome, alert: await service.get(first.alertId), replayed: true };
  }

  async function endByExpiry(alertId: string, dueMs: number): Promise<boolean> {
    const alert = await store.getAlert(alertId);
    const incident = alert && (await store.getIncident(alert.incidentId));
    if (
      !alert ||
      !incident ||
      alert.state !== 'issued' ||
      incident.currentAlertId !== alert.id ||
      incident.endedMs !== null
    )
      return false;
    const next: IncidentRecord = { ...incident, endedMs: dueMs, endReason: 'expired' };
    const event = await commit({
      expect: [{ alertId, state: 'issued' }],
      setAlertStates: [{ alertId, state: 'ended' }],
      incident: next,
      schedule: { removeAlertIds: [alertId] },
      event: makeEvent(EVENT_TYPES.ended, alert, next, 'expired'),
      audit: alertAudit(SYSTEM_ACTOR, LIFECYCLE_ACTIONS.expired, alert, clock.now(), { dueMs }),
    });
    await afterCommit(event, next, false);
    return true;
  }

  async function lapse(alertId: string): Promise<boolean> {
    const alert = await store.getAlert(alertId);
    if (alert?.state !== 'pending') return false;
    const event = await commit({
      expect: [{ alertId, state: 'pending' }],
      setAlertStates: [{ alertId, state: 'lapsed' }],
      schedule: { removeAlertIds: [alertId] },
      event: makeEvent(EVENT_TYPES.lapsed, alert, undefined, 'approval timed out'),
      audit: alertAudit(SYSTEM_ACTOR, LIFECYCLE_ACTIONS.lapsed, alert, clock.now()),
    });
    await afterCommit(event, undefined, false);
    return true;
  }

  async function expireDue(): Promise<number> {
    let done = 0;
    for (;;) {
      const due = await store.dueSchedule(clock.now(), EXPIRE_BATCH);
      if (due.length === 0) return done;
      let progressed = false;
      for (const entry of due) {
        try {
          const changed =
            entry.kind === 'expire'
              ? await endByExpiry(entry.alertId, entry.dueMs)
              : await lapse(entry.alertId);
          if (changed) {
            done++;
            progressed = true;
          }
        } catch (error) {
          if (!(error instanceof StoreConflictError)) throw error;
        }
      }
      if (!progressed) return done;
    }
  }

  /**
   * A published alert (issued, superseded, ended) is public. A draft (pending, rejected, lapsed)
   * is shown only to its author and to the approvers over its regions; anyone else is told it does
   * not exist, so its id reveals nothing. Without a viewer (the hub's own callers) every alert.
   */
  async function readable(id: string, viewer: Actor | undefined): Promise<AlertRecord> {
    const record = await store.getAlert(id);
    if (
      record &&
      (viewer === undefined || PUBLISHED_STATES.has(record.state) || mayReadDraft(viewer, record))
    )
      return record;
    throw new TocsinError('ALERT_NOT_FOUND', `No alert ${JSON.stringify(id.slice(0, 200))}`);
  }

  function mayReadDraft(viewer: Actor, record: AlertRecord): boolean {
    if (viewer.kind !== 'system' && viewer.id === record.authorId) return true;
    try {
      authorize(viewer, 'alert.approve', {
        regions: record.regions.map((r) => r.code),
        alertId: record.id,
        authorId: record.authorId,
        status: record.status,
      });
      return true;
    } catch (error) {
      if (error instanceof TocsinError) return false;
      throw error;
    }
  }

  async function decide(
    actor: Actor,
    id: string,
    verdict: 'approve' | 'reject',
    reason?: string,
  ): Promise<ChangeResult> {
    const alert = await store.getAlert(id);
    if (!alert) throw new TocsinError('ALERT_NOT_FOUND', `No alert ${JSON.stringify(id.slice(0, 200))}`);
    if (alert.state !== 'pending')
      throw new TocsinError('ALERT_NOT_PENDING', `The alert is ${alert.state}, not pending`);
    authorize(actor, verdict === 'approve' ? 'alert.approve' : 'alert.reject', {
      regions: alert.regions.map((r) => r.code),
      alertId: alert.id,
      authorId: alert.authorId,
      status: alert.status,
    });
    if (actor.id === alert.authorId) throw new TocsinError('ALERT_SELF_APPROVAL');
    const nowMs = clock.now();
    const approved = verdict === 'approve';
    const incident = approved ? incidentFor(alert, nowMs, formatTime(nowMs)) : undefined;
    const state = approved ? 'issued' : 'rejected';
    const expires =
      approved && alert.expiresMs !== null
        ? [{ alertId: id, kind: 'expire' as const, dueMs: alert.expiresMs }]
        : [];
    const decided = { ...alert, state, approverId: actor.id } as const;
    let event: EventRecord;
    try {
      event = await commit({
        expect: [{ alertId: id, state: 'pending' }],
        setAlertStates: [{ alertId: id, state, approverId: actor.id }],
        ...(incident ? { incident } : {}),
        schedule: { removeAlertIds: [id], add: expires },
        event: makeEvent(
          approved ? EVENT_TYPES.issued : EVENT_TYPES.rejected,
          decided,
          incident,
          reason?.slice(0, 1000),
        ),
        audit: alertAudit(
          actor,
          approved ? LIFECYCLE_ACTIONS.approved : LIFECYCLE_ACTIONS.rejected,
          alert,
          nowMs,
          { author: alert.authorId, ...(reason === undefined ? {} : { reason: reason.slice(0, 1000) }) },
        ),
      });
    } catch (error) {
      if (error instanceof StoreConflictError && error.kind === 'state')
        throw new TocsinError('ALERT_NOT_PENDING', 'The alert was decided meanwhile');
      throw error;
    }
    await afterCommit(event, incident, true);
    return { alert: toView({ ...decided, updatedSeq: event.seq }, incident), event, replayed: false };
  }

  const service: AlertService = {
    async issue(actor, input, options = {}) {
      const key = checkedKey(options.idempotencyKey);
      // A CAP Update or Cancel (a feed, a partner system) continues the incident it references.
      if (input.format !== 'short') {
        const continued = await continuation(actor, input, options);
        if (continued) return { outcome: 'issued', alert: continued.alert, replayed: continued.replayed };
      }
      const hash = requestHash(input);
      if (key !== undefined) {
        const earlier = await replay(actor, key, hash);
        if (earlier) return earlier;
      }
      const ctx = context();
      const cap = readInput(input, ctx, { msgType: 'Alert' });
      const prepared = checkAlert(cap, ctx);
      authorize(actor, 'alert.issue', {
        regions: prepared.regions.map((r) => r.code),
        status: cap.status,
        severity: cap.info[0]?.severity ?? 'Unknown',
      });
      // A template two people approved beforehand is its own second pair of eyes (issue 5 §2).
      const fromTemplate = options.template;
      const pending = fromTemplate === undefined && needsApproval(cap);
      const record = newRecord(prepared, actor, cap.identifier, pending ? 'pending' : 'issued');
      if (fromTemplate) record.approverId = `template:${fromTemplate.id}`;
      const incident = pending ? undefined : incidentFor(record, record.sentMs, record.sent);
      const due = pending
        ? { alertId: record.id, kind: 'lapse' as const, dueMs: ctx.nowMs + pendingTtlMs }
        : record.expiresMs === null
          ? undefined
          : { alertId: record.id, kind: 'expire' as const, dueMs: record.expiresMs };
      const outcome = pending ? 'pending' : 'issued';
      let event: EventRecord;
      try {
        event = await commit({
          insertAlert: record,
          ...(incident ? { incident } : {}),
          ...(due ? { schedule: { add: [due] } } : {}),
          ...(key === undefined
            ? {}
            : {
                idempotency: {
                  actorId: actor.id,
                  key,
                  requestHash: hash,
                  alertId: record.id,
                  outcome,
                  createdMs: ctx.nowMs,
                },
              }),
          event: makeEvent(pending ? EVENT_TYPES.pending : EVENT_TYPES.issued, record, incident),
          audit: alertAudit(
            actor,
            pending ? LIFECYCLE_ACTIONS.drafted : LIFECYCLE_ACTIONS.issued,
            record,
            ctx.nowMs,
            fromTemplate ? { template: fromTemplate } : {},
          ),
        });
      } catch (error) {
        // Two requests with the same key raced: the other one won; answer as it did.
        if (error instanceof StoreConflictError && error.kind === 'idempotency' && key !== undefined) {
          const earlier = await replay(actor, key, hash);
          if (earlier) return earlier;
        }
        throw error;
      }
      await afterCommit(event, incident, due !== undefined);
      return {
        outcome,
        alert: toView({ ...record, createdSeq: event.seq, updatedSeq: event.seq }, incident),
        replayed: false,
      };
    },

    check(input) {
      const ctx = context();
      return checkAlert(readInput(input, ctx, { msgType: 'Alert' }), ctx).cap;
    },

    approve: (actor, id) => decide(actor, id, 'approve'),
    reject: (actor, id, reason) => decide(actor, id, 'reject', reason),
    update: (actor, id, input, options) => change(actor, id, 'update', input, options),
    allClear: (actor, id, input, options) => change(actor, id, 'all-clear', input, options),
    cancel: (actor, id, input, options) => change(actor, id, 'cancel', input, options),

    async get(id, viewer) {
      const record = await readable(id, viewer);
      return toView(record, await store.getIncident(record.incidentId));
    },

    async getXml(id, viewer) {
      return (await readable(id, viewer)).xml;
    },

    list: (query) => listAlerts({ store, tree }, query),

    incidentsBetween: (fromMs, toMs) => store.listIncidents({ fromMs, toMs }),

    state: () => regionState.all(),
    stateOf: (code) => regionState.of(code),

    stats: (query) => computePeriodStats({ store, tree, clock }, query),

    expireDue,

    async start() {
      // Events committed by other nodes (or workers) reach region state through the bus. Listen
      // before reading the store so nothing committed in between is missed.
      const early: BusEvent[] = [];
      let ready = false;
      unsubscribe = deps.bus.subscribe((event) => {
        if (ready) applyFromBus(event);
        else early.push(event);
      });
      const seq = await store.latestSeq();
      regionState.reset(await store.listActiveIncidents(), seq, clock.now());
      ready = true;
      for (const event of early) if (event.seq > seq) applyFromBus(event);
      publisher = createOrderedPublisher(store, deps.bus, seq);
      await scheduler.start();
    },

    async stop() {
      unsubscribe();
      await scheduler.stop();
    },
  };

  /** For a CAP Update / Cancel given to issue(): the change it makes; undefined for a new alert. */
  async function continuation(
    actor: Actor,
    input: AlertInput,
    options: IssueOptions,
  ): Promise<ChangeResult | undefined> {
    const cap = readInput(input, context(), { msgType: 'Alert' });
    if (cap.msgType === 'Alert') return undefined;
    if (cap.msgType !== 'Update' && cap.msgType !== 'Cancel') {
      throw new TocsinError(
        'ALERT_INPUT_INVALID',
        `A CAP ${cap.msgType} message is not an alert the hub issues`,
        [{ path: 'msgType', message: 'expected Alert, Update or Cancel' }],
      );
    }
    const ids = (cap.references ?? '').split(/\s+/).flatMap((r) => r.split(',')[1] ?? []);
    if (ids.length === 0) {
      throw new TocsinError(
        'ALERT_INPUT_INVALID',
        `An ${cap.msgType} must reference the alert it continues`,
        [{ path: 'references', message: 'expected sender,identifier,sent of an earlier alert' }],
      );
    }
    for (const id of ids.reverse()) {
      if (!(await store.getAlert(id))) continue;
      const allClear =
        cap.msgType === 'Update' &&
        cap.info.length > 0 &&
        cap.info.every((i) => i.responseType.includes('AllClear'));
      const kind = cap.msgType === 'Cancel' ? 'cancel' : allClear ? 'all-clear' : 'update';
      return change(actor, id, kind, input, options);
    }
    throw new TocsinError('ALERT_NOT_FOUND', 'The message references no alert this hub knows', [
      { path: 'references', message: `unknown: ${ids.slice(0, 5).join(', ').slice(0, 300)}` },
    ]);
  }

  return service;
}

type PreparedRecord = Omit<AlertRecord, 'createdSeq' | 'updatedSeq'>;

/** A continuation must be of the right type and reference the incident's current alert. */
function checkContinues(cap: Alert, current: AlertRecord, msgType: Alert['msgType'], kind: string): void {
  if (cap.msgType !== msgType)
    throw new TocsinError('ALERT_INPUT_INVALID', `A ${kind} must be a CAP ${msgType}; got ${cap.msgType}`);
  const refs = (cap.references ?? '').split(/\s+/).filter(Boolean);
  if (!refs.some((r) => r.split(',')[1] === current.id)) {
    throw new TocsinError(
      'ALERT_NOT_CURRENT',
      `The message must reference the incident's current alert ${current.id}`,
      [{ path: 'references', message: `expected a reference to ${referenceOf(current.cap)}` }],
    );
  }
  if (cap.status !== current.status) {
    throw new TocsinError(
      'ALERT_INPUT_INVALID',
      `The status of an incident cannot change (${current.status} → ${cap.status})`,
    );
  }
}

/** The audit action of an update / all-clear / cancel; a cancel without a body is the correction. */
function changeAction(kind: 'update' | 'all-clear' | 'cancel', withBody: boolean) {
  if (kind === 'update') return LIFECYCLE_ACTIONS.updated;
  if (kind === 'all-clear') return LIFECYCLE_ACTIONS.allClear;
  return withBody ? LIFECYCLE_ACTIONS.cancelled : LIFECYCLE_ACTIONS.corrected;
}

/** All-clear is an Update whose info has responseType AllClear (DESIGN.md). */
function forceEnding(cap: Alert, kind: 'all-clear' | 'cancel'): void {
  if (kind === 'all-clear') for (const info of cap.info) info.responseType = ['AllClear'];
}

function checkedKey(key: string | undefined): string | undefined {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new TocsinError(
      'ALERT_INPUT_INVALID',
      'Idempotency-Key must be 1 to 200 printable ASCII characters',
      [{ path: 'Idempotency-Key', message: 'expected 1 to 200 printable ASCII characters' }],
    );
  }
  return key;
}

function requestHash(input: unknown): string {
  return createHash('sha256')
    .update(input === undefined ? '' : canonicalJson(input))
    .digest('base64url');
}
