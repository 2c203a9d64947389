// How operators are shown over the API and the CLI (never their password hash).
import type { OperatorRecord } from '../store/identity-store.ts';

export function operatorView(operator: OperatorRecord) {
  return {
    id: operator.id,
    name: operator.name,
    roles: operator.roles,
    jurisdiction: operator.jurisdiction,
    mustChangePassword: operator.mustChangePassword,
    disabled: operator.disabled,
    createdAt: new Date(operator.createdMs).toISOString(),
    updatedAt: new Date(operator.updatedMs).toISOString(),
  };
}
