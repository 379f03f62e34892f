/** What a phone needs besides the records: who it is, its villages and teams, the procedure forms. */
import type { FormFieldDef } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { teamMembers } from '../teams/members.ts';
import type { FieldMember } from './fieldAuth.ts';

export interface Bootstrap {
  member: { id: number; displayName: string };
  villages: { code: string; name: string; communeCode: string; communeName: string; team: { name: string; members: { id: number; displayName: string }[] } }[];
  procedures: { code: string; nameVi: string; nameEn: string; form: FormFieldDef[] }[];
  serverTime: string;
}

export async function bootstrap(ctx: AppContext, member: FieldMember): Promise<Bootstrap> {
  const db = ctx.db.kysely;
  const communes = await db.selectFrom('units').select(['id', 'code', 'name']).where('id', 'in', [...new Set(member.villages.map((v) => v.communeId)), 0]).execute();
  const teams = await db.selectFrom('teams').select(['unit_id', 'name']).where('unit_id', 'in', [...member.villages.map((v) => v.id), 0]).execute();
  const villages = [];
  for (const v of member.villages) {
    const commune = communes.find((c) => c.id === v.communeId);
    villages.push({
      code: v.code,
      name: v.name,
      communeCode: commune?.code ?? '',
      communeName: commune?.name ?? '',
      team: { name: teams.find((t) => t.unit_id === v.id)?.name ?? `Tổ công nghệ số cộng đồng ${v.name}`, members: await teamMembers(db, v.id) },
    });
  }
  const procedures = await db.selectFrom('procedures').select(['code', 'name_vi', 'name_en', 'form']).where('active', '=', true).orderBy('code').execute();
  return {
    member: { id: member.officer.id, displayName: member.officer.displayName },
    villages,
    procedures: procedures.map((p) => ({ code: p.code, nameVi: p.name_vi, nameEn: p.name_en, form: p.form as FormFieldDef[] })),
    serverTime: ctx.now().toISOString(),
  };
}
