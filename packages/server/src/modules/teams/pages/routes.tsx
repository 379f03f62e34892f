/**
 * Routes of the team pages in the back office and the public step cards. Every office route
 * checks the caller's roles itself (see access.ts) before reading anything; forms carry the
 * CSRF token (checked by the web plugin) and answer with see-other.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UUID } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { notFound, Problem } from '../../../http/problem.ts';
import type { ZodApp } from '../../../http/types.ts';
import { redirectAfterPost, sendPage } from '../../../web/render.tsx';
import { audit } from '../../audit/service.ts';
import { requestMeta } from '../../auth/admin/guard.ts';
import { formString } from '../../auth/admin/ui.tsx';
import { requireRoleOnUnit, rolesOnUnit, type Officer } from '../../auth/service.ts';
import { DEVICE_ADMIN_ROLES, requireSupervisorRoots, rootsWith, SUPERVISOR_ROLES } from '../access.ts';
import { authorizeConflict, CONFLICT_LIST_LIMIT, isPersonalField, listOpenConflicts, resolveConflict } from '../conflicts.ts';
import { markDeviceLost, type RequestActor } from '../devices.ts';
import { findTeam, listTeams, openBlockers, openFollowUps, registerSummary, teamMembers, TEAM_LIST_LIMIT } from '../teamQueries.ts';
import { ConflictsPage, CONFLICTS_PATH } from './conflictPages.tsx';
import { findCard, STEP_CARDS_PATH, StepCardPage, StepCardsIndex } from './stepCards.tsx';
import { TEAMS_PATH, TeamPage, TeamsListPage, teamPath } from './teamsPages.tsx';

const VILLAGE_CODE = /^[0-9A-Za-z-]{3,20}$/;

const officerOf = (req: FastifyRequest): Officer => {
  if (!req.officer) throw new Problem(401, 'auth.required');
  return req.officer;
};
const actorOf = (req: FastifyRequest): RequestActor => ({ officer: officerOf(req), ...requestMeta(req) });

const VillageParams = z.object({ villageCode: z.string().max(40) });
const DeviceParams = z.object({ villageCode: z.string().max(40), deviceId: z.string().max(40) });
const ConflictParams = z.object({ id: z.string().max(20) });
const SlugParams = z.object({ slug: z.string().max(60) });

function villageCodeOf(code: string): string {
  if (!VILLAGE_CODE.test(code)) throw notFound('request.not_found', 'not a village code');
  return code;
}

async function renderTeam(ctx: AppContext, req: FastifyRequest, villageCode: string, notice?: { kind: 'ok' | 'error'; text: string }) {
  const db = ctx.db.kysely;
  const officer = officerOf(req);
  const team = await findTeam(db, villageCode);
  await requireRoleOnUnit(db, officer, team.unitId, SUPERVISOR_ROLES);
  const now = ctx.now();
  const [roles, members, blockers, followUps, register, conflictRoots] = await Promise.all([
    rolesOnUnit(db, officer, team.unitId),
    teamMembers(db, team),
    openBlockers(db, team.unitId),
    openFollowUps(db, team.unitId, now),
    registerSummary(db, team.unitId, now),
    rootsWith(db, officer, SUPERVISOR_ROLES, true),
  ]);
  // The name a citizen gave on the portal is personal: opened only here, and the read audited.
  const portalNames = new Map<number, string>();
  for (const b of blockers.list) if (b.personSealed) portalNames.set(b.id, ctx.vault.open<{ fullName?: string }>(b.personSealed).fullName ?? '');
  if (portalNames.size > 0)
    await audit(db, { actorId: officer.id, action: 'blocker.names_read', entity: 'team', entityId: team.villageCode, detail: { blockers: [...portalNames.keys()] }, ...requestMeta(req) });
  return (
    <TeamPage
      p={req.page}
      officer={officer}
      team={team}
      members={members}
      canMarkLost={roles.some((r) => DEVICE_ADMIN_ROLES.includes(r))}
      conflicts={conflictRoots.length > 0}
      blockers={blockers}
      portalNames={portalNames}
      followUps={followUps}
      register={register}
      notice={notice}
    />
  );
}

async function renderConflicts(ctx: AppContext, req: FastifyRequest, notice?: { kind: 'ok' | 'error'; text: string }) {
  const officer = officerOf(req);
  const roots = await requireSupervisorRoots(ctx.db.kysely, officer, true);
  const rows = await listOpenConflicts(ctx, roots);
  const personal = rows.filter((r) => r.entity === 'resident' && isPersonalField(r.field));
  if (personal.length > 0)
    await audit(ctx.db.kysely, { actorId: officer.id, action: 'conflict.values_read', entity: 'sync_conflict', detail: { conflicts: personal.map((r) => r.id) }, ...requestMeta(req) });
  return <ConflictsPage p={req.page} officer={officer} rows={rows} capped={rows.length >= CONFLICT_LIST_LIMIT} notice={notice} />;
}

export function teamPages(app: ZodApp, ctx: AppContext): void {
  app.get(TEAMS_PATH, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const roots = await requireSupervisorRoots(ctx.db.kysely, officer);
    const [rows, conflictRoots] = await Promise.all([listTeams(ctx.db.kysely, roots, ctx.now()), rootsWith(ctx.db.kysely, officer, SUPERVISOR_ROLES, true)]);
    return sendPage(reply, <TeamsListPage p={req.page} officer={officer} rows={rows} conflicts={conflictRoots.length > 0} capped={rows.length >= TEAM_LIST_LIMIT} />);
  });

  app.get(CONFLICTS_PATH, { schema: { hide: true } }, async (req, reply) => sendPage(reply, await renderConflicts(ctx, req)));

  app.post(`${CONFLICTS_PATH}/:id`, { schema: { hide: true, params: ConflictParams } }, async (req, reply) => {
    const id = /^\d{1,15}$/.test(req.params.id) ? Number(req.params.id) : null;
    if (id === null) throw notFound('request.not_found', 'not a conflict id');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const resolution = formString(body.resolution);
    const version = formString(body.version);
    const p = req.page;
    // Authorization comes first (resolveConflict checks the roles before anything else), so a
    // malformed form from someone without the right is still refused as such.
    if ((resolution !== 'kept' && resolution !== 'other') || !/^\d{1,9}$/.test(version)) {
      await authorizeConflict(ctx.db.kysely, officerOf(req), id);
      return sendPage(reply, await renderConflicts(ctx, req, { kind: 'error', text: p.t('teams.conflicts.choose') }), 400);
    }
    const result = await resolveConflict(ctx, actorOf(req), id, { resolution, version: Number(version) });
    if (!result.ok) {
      const text = p.t(result.reason === 'stale' ? 'teams.conflicts.stale' : 'teams.conflicts.invalid_value');
      return sendPage(reply, await renderConflicts(ctx, req, { kind: 'error', text }), 409);
    }
    return redirectAfterPost(reply, `${CONFLICTS_PATH}?done=${resolution === 'kept' ? 'conflict_kept' : 'conflict_other'}`);
  });

  app.get(`${TEAMS_PATH}/:villageCode`, { schema: { hide: true, params: VillageParams } }, async (req, reply) => sendPage(reply, await renderTeam(ctx, req, villageCodeOf(req.params.villageCode))));

  app.post(`${TEAMS_PATH}/:villageCode/devices/:deviceId/lost`, { schema: { hide: true, params: DeviceParams } }, async (req, reply) => {
    const villageCode = villageCodeOf(req.params.villageCode);
    if (!UUID.test(req.params.deviceId)) throw notFound('request.not_found', 'not a device id');
    const result = await markDeviceLost(ctx, actorOf(req), villageCode, req.params.deviceId);
    if (!result.ok) return sendPage(reply, await renderTeam(ctx, req, villageCode, { kind: 'error', text: req.page.t('teams.devices.already_lost') }), 409);
    return redirectAfterPost(reply, `${teamPath(villageCode)}?done=device_lost`);
  });

  // Public: residents and officers print them.
  app.get(STEP_CARDS_PATH, { schema: { hide: true } }, async (req, reply) => sendPage(reply, <StepCardsIndex p={req.page} citizen={req.citizen} />));
  app.get(`${STEP_CARDS_PATH}/:slug`, { schema: { hide: true, params: SlugParams } }, async (req, reply) => {
    const card = findCard(req.params.slug);
    if (!card) throw notFound('request.not_found', `no step card ${req.params.slug}`);
    return sendPage(reply, <StepCardPage p={req.page} citizen={req.citizen} card={card} />);
  });
}
