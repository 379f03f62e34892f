/**
 * "Báo mất máy": an administrator of the village's subtree marks a team member's phone lost.
 * Its sessions end at once; at its next contact the phone is told to wipe itself (the sync
 * module does that). Audited; the device row keeps who marked it and when.
 */
import type { AppContext } from '../../context.ts';
import { notFound, Problem } from '../../http/problem.ts';
import { requireRoleOnUnit, type Officer } from '../auth/service.ts';
import { audit } from '../audit/service.ts';
import { DEVICE_ADMIN_ROLES } from './access.ts';
import { deviceOfTeam, findTeam } from './teamQueries.ts';

export interface RequestActor {
  officer: Officer;
  ip: string | null;
  userAgent: string | null;
}

export type MarkLostResult = { ok: true; sessionsEnded: number } | { ok: false; reason: 'already_lost' };

export async function markDeviceLost(ctx: AppContext, actor: RequestActor, villageCode: string, deviceId: string): Promise<MarkLostResult> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    const team = await findTeam(trx, villageCode);
    await requireRoleOnUnit(trx, actor.officer, team.unitId, DEVICE_ADMIN_ROLES);
    if (!(await deviceOfTeam(trx, team, deviceId))) throw notFound('request.not_found', 'no such phone in this team');
    const device = await trx.selectFrom('devices').select(['id', 'user_id', 'status']).where('id', '=', deviceId).forUpdate().executeTakeFirst();
    if (!device) throw notFound('request.not_found', 'no such phone');
    if (device.status !== 'active') return { ok: false, reason: 'already_lost' } as const;
    const updated = await trx
      .updateTable('devices')
      .set({ status: 'lost', lost_marked_by: actor.officer.id, lost_marked_at: now })
      .where('id', '=', deviceId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new Problem(409, 'request.invalid', 'the phone changed meanwhile');
    const ended = await trx.deleteFrom('sessions').where('device_id', '=', deviceId).executeTakeFirst();
    const sessionsEnded = Number(ended.numDeletedRows);
    await audit(trx, {
      actorId: actor.officer.id,
      action: 'device.marked_lost',
      entity: 'device',
      entityId: deviceId,
      detail: { villageCode: team.villageCode, userId: device.user_id, sessionsEnded },
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
    return { ok: true, sessionsEnded } as const;
  });
}
