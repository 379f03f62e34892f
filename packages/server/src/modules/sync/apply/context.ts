/** What every envelope handler gets: the transaction, the member and device, the clock. */
import type { AppContext } from '../../../context.ts';
import type { Trx } from '../../../db/database.ts';
import type { FieldMember } from '../fieldAuth.ts';
import type { Village } from '../../teams/members.ts';

export interface ApplyContext {
  ctx: AppContext;
  trx: Trx;
  member: FieldMember;
  receivedAt: Date;
  /** Loaded before the transaction: on the embedded database the transaction holds the one connection. */
  calendar: Awaited<ReturnType<AppContext['calendar']['calendar']>>;
}

/** Refused: nothing of the envelope is applied. `retryable` when sending it again later may work. */
export class Rejection extends Error {
  constructor(
    readonly code: 'sync.invalid' | 'sync.not_in_team' | 'sync.not_found' | 'sync.file_missing' | 'sync.application_invalid' | 'sync.id_reused',
    readonly detail: string,
    readonly retryable = false,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface Applied {
  version: number | null;
  conflictIds: number[];
}

export function villageById(a: ApplyContext, unitId: number): Village {
  const v = a.member.villages.find((x) => x.id === unitId);
  if (!v) throw new Rejection('sync.not_in_team', `unit ${unitId} is not a village of the member's team`);
  return v;
}

export function villageByCode(a: ApplyContext, code: string): Village {
  const v = a.member.villages.find((x) => x.code === code);
  if (!v) throw new Rejection('sync.not_in_team', `village ${code} is not one of the member's team`);
  return v;
}
