// The two-person rule as a policy function (issue 5 makes it configuration).
import type { Alert } from '../cap/types.ts';

export type NeedsApproval = (alert: Alert) => boolean;

/** DESIGN.md: an Actual alert of severity Extreme or Severe needs a second operator. */
export const defaultNeedsApproval: NeedsApproval = (alert) =>
  alert.status === 'Actual' &&
  alert.info.some((info) => info.severity === 'Extreme' || info.severity === 'Severe');

/** No alert waits for a second operator (single-operator deployments, tests). */
export const neverNeedsApproval: NeedsApproval = () => false;

/** How long a pending alert waits for approval before it lapses. */
export const DEFAULT_PENDING_TTL_MS = 15 * 60_000;
