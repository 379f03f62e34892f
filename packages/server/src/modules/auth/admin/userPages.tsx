/** Officer accounts: list and search, create, roles on units, deactivate, unlock, reset password. */
import { z } from 'zod';
import { localDateOf } from '@causo/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { OfficePage } from '../../../web/layout.tsx';
import { sendPage, redirectAfterPost } from '../../../web/render.tsx';
import { BackLink, CsrfField, Select, Submit, SummaryList, TextField, type Option } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../service.ts';
import { adminScope, requestMeta } from './guard.ts';
import { normalisePhone } from '../../notify/outbox.ts';
import { DoneNotice, IssueSummary, Pager, formString, localDateTime, withQuery, type FormIssue } from './ui.tsx';
import {
  FieldProblem,
  MIN_PASSWORD,
  OFFICER_ROLES,
  USERNAME_PATTERN,
  addRole,
  assignableUnits,
  changeStatus,
  contactOf,
  createUser,
  setContact,
  type Contact,
  findUser,
  listUsers,
  managedUser,
  removeRole,
  resetPassword,
  type UserView,
} from './users.ts';

const Role = z.enum(OFFICER_ROLES, { message: 'admin.users.error.role' });
const UnitId = z.coerce.number({ message: 'admin.users.error.unit' }).int('admin.users.error.unit').positive('admin.users.error.unit');
const Password = z.string({ message: 'form.error.required' }).min(MIN_PASSWORD, 'admin.users.error.password_short').max(200, 'admin.users.error.password_long');

const NewUserForm = z.object({
  username: z.string({ message: 'form.error.required' }).trim().toLowerCase().regex(USERNAME_PATTERN, 'admin.users.error.username'),
  displayName: z.string({ message: 'form.error.required' }).trim().min(1, 'form.error.required').max(100, 'admin.users.error.name_long'),
  password: Password,
  role: Role,
  unitId: UnitId,
});
const RoleForm = z.object({ role: Role, unitId: UnitId });
const StatusForm = z.object({ change: z.enum(['deactivate', 'reactivate', 'unlock']) });
const ContactForm = z.object({
  phone: z
    .string()
    .trim()
    .transform((v) => v.replace(/[\s.-]/g, ''))
    .refine((v) => v === '' || /^(0|\+?84)\d{9}$/.test(v), { message: 'admin.users.error.phone' })
    .transform((v) => (v === '' ? null : normalisePhone(v))),
  email: z
    .string()
    .trim()
    .max(200)
    .refine((v) => v === '' || z.email().safeParse(v).success, { message: 'admin.users.error.email' })
    .transform((v) => (v === '' ? null : v.toLowerCase())),
});
const PasswordForm = z.object({ password: Password, confirm: z.string() }).refine((f) => f.password === f.confirm, { message: 'admin.users.error.password_mismatch', path: ['confirm'] });

const IdParams = z.object({ id: z.coerce.number().int().positive() });
const ListQuery = z.object({ q: z.string().max(100).optional(), page: z.coerce.number().int().min(1).max(10_000).default(1) });

function issuesOf(error: z.ZodError, p: PageRequest): FormIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'form', message: p.t(i.message.includes(' ') ? 'form.error.invalid' : i.message) }));
}

const body = (req: FastifyRequest) => Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, formString(v)]));

async function unitOptions(ctx: AppContext, req: FastifyRequest): Promise<Option[]> {
  const units = await assignableUnits(ctx.db.kysely, adminScope(req), localDateOf(ctx.now()));
  return units.map((u) => ({ value: String(u.id), label: `${u.name} (${u.code})` }));
}

function roleOptions(p: PageRequest): Option[] {
  return OFFICER_ROLES.map((r) => ({ value: r, label: p.t(`admin.role.${r}`) }));
}

function RoleList({ p, user }: { p: PageRequest; user: UserView }) {
  return (
    <>
      {user.roles.map((r) => (
        <span key={`${r.role}-${r.unitId}`} class="tag">
          {p.t(`admin.role.${r.role}`)} · {r.unitName}
        </span>
      ))}
    </>
  );
}

function UsersListPage({ p, officer, users, q, page, hasNext }: { p: PageRequest; officer: Officer | null; users: UserView[]; q: string; page: number; hasNext: boolean }) {
  return (
    <OfficePage p={p} title={p.t('admin.users.title')} officer={officer}>
      <BackLink href="/office/admin" label={p.t('admin.back_to_index')} />
      <h1>{p.t('admin.users.title')}</h1>
      <DoneNotice p={p} area="admin.users" />
      <p>
        <a class="button" href="/office/admin/users/new">
          {p.t('admin.users.new_link')}
        </a>
      </p>
      <form method="get" action="/office/admin/users" class="filters" role="search">
        <TextField name="q" type="search" label={p.t('admin.users.search_label')} value={q} />
        <Submit secondary>{p.t('admin.search')}</Submit>
      </form>
      {users.length === 0 ? (
        <p>{p.t('admin.users.none')}</p>
      ) : (
        <table>
          <caption class="muted">{p.t('admin.users.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t('admin.users.username')}</th>
              <th scope="col">{p.t('admin.users.display_name')}</th>
              <th scope="col">{p.t('admin.users.roles')}</th>
              <th scope="col">{p.t('admin.users.status')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>
                  <a href={`/office/admin/users/${u.id}`}>{u.username}</a>
                </td>
                <td>{u.displayName}</td>
                <td>
                  <RoleList p={p} user={u} />
                </td>
                <td>
                  <StatusTag p={p} user={u} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager p={p} page={page} hasNext={hasNext} href={(n) => withQuery('/office/admin/users', { q, page: n })} />
    </OfficePage>
  );
}

function StatusTag({ p, user }: { p: PageRequest; user: UserView }) {
  if (!user.active) return <span class="tag late">{p.t('admin.users.inactive')}</span>;
  if (user.lockedUntil) return <span class="tag soon">{p.t('admin.users.locked_until', { at: localDateTime(user.lockedUntil) })}</span>;
  return <span class="tag ok">{p.t('admin.users.active')}</span>;
}

function NewUserPage({ p, officer, units, values, issues }: { p: PageRequest; officer: Officer | null; units: Option[]; values: Record<string, string>; issues: FormIssue[] }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  return (
    <OfficePage p={p} title={p.t('admin.users.new_title')} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href="/office/admin/users" label={p.t('admin.users.title')} />
      <h1>{p.t('admin.users.new_title')}</h1>
      <IssueSummary p={p} issues={issues} />
      <form method="post" action="/office/admin/users/new" novalidate>
        <CsrfField p={p} />
        <TextField name="username" label={p.t('admin.users.username')} hint={p.t('admin.users.username_hint')} value={values.username} error={err('username')} autocomplete="off" maxLength={50} />
        <TextField name="displayName" label={p.t('admin.users.display_name')} value={values.displayName} error={err('displayName')} autocomplete="off" maxLength={100} />
        <TextField name="password" type="password" label={p.t('admin.users.initial_password')} hint={p.t('admin.users.password_hint', { n: MIN_PASSWORD })} error={err('password')} autocomplete="new-password" />
        <Select name="role" label={p.t('admin.users.role')} options={roleOptions(p)} value={values.role ?? 'officer'} error={err('role')} />
        <Select name="unitId" label={p.t('admin.users.unit')} hint={p.t('admin.users.unit_hint')} options={units} value={values.unitId} emptyLabel={p.t('admin.users.pick_unit')} error={err('unitId')} />
        <Submit>{p.t('admin.users.create')}</Submit>
      </form>
    </OfficePage>
  );
}

function UserPage({ p, officer, user, units, issues, contact }: { p: PageRequest; officer: Officer | null; user: UserView; units: Option[]; issues: FormIssue[]; contact: Contact }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  const base = `/office/admin/users/${user.id}`;
  return (
    <OfficePage p={p} title={`${user.displayName} (${user.username})`} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href="/office/admin/users" label={p.t('admin.users.title')} />
      <h1>
        {user.displayName} <span class="muted">({user.username})</span>
      </h1>
      <DoneNotice p={p} area="admin.users" />
      <IssueSummary p={p} issues={issues} />
      <SummaryList
        rows={[
          { key: p.t('admin.users.username'), value: user.username },
          { key: p.t('admin.users.display_name'), value: user.displayName },
          { key: p.t('admin.users.status'), value: <StatusTag p={p} user={user} /> },
          { key: p.t('admin.users.failed_logins'), value: String(user.failedLogins) },
          { key: p.t('admin.users.created_at'), value: localDateTime(user.createdAt) },
        ]}
      />
      {!user.manageable ? <p class="notice warn">{p.t('admin.users.not_manageable')}</p> : null}
      <h2 id="f-roles">{p.t('admin.users.roles')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{p.t('admin.users.role')}</th>
            <th scope="col">{p.t('admin.users.unit')}</th>
            <th scope="col">
              <span class="muted">{p.t('admin.users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {user.roles.map((r) => (
            <tr key={`${r.role}-${r.unitId}`}>
              <td>{p.t(`admin.role.${r.role}`)}</td>
              <td>
                {r.unitName} ({r.unitCode})
              </td>
              <td>
                {user.manageable ? (
                  <form method="post" action={`${base}/roles/remove`} class="inline-form">
                    <CsrfField p={p} />
                    <input type="hidden" name="role" value={r.role} />
                    <input type="hidden" name="unitId" value={String(r.unitId)} />
                    <Submit secondary confirm={p.t('admin.users.remove_role_confirm')}>
                      {p.t('admin.users.remove_role', { role: p.t(`admin.role.${r.role}`), unit: r.unitName })}
                    </Submit>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {user.manageable ? (
        <>
          <h2>{p.t('admin.users.add_role')}</h2>
          <p class="hint">{p.t('admin.users.subtree_hint')}</p>
          <form method="post" action={`${base}/roles`} novalidate>
            <CsrfField p={p} />
            <Select name="role" label={p.t('admin.users.role')} options={roleOptions(p)} value="officer" error={err('role')} />
            <Select name="unitId" label={p.t('admin.users.unit')} options={units} emptyLabel={p.t('admin.users.pick_unit')} error={err('unitId')} />
            <Submit>{p.t('admin.users.add_role_button')}</Submit>
          </form>
          <h2 id="f-contact">{p.t('admin.users.contact')}</h2>
          <p class="hint">{p.t('admin.users.contact_hint')}</p>
          <form method="post" action={`${base}/contact`} novalidate>
            <CsrfField p={p} />
            <TextField name="phone" type="tel" label={p.t('admin.users.phone')} value={contact.phone ?? ''} error={err('phone')} autocomplete="off" maxLength={20} />
            <TextField name="email" type="email" label={p.t('admin.users.email')} value={contact.email ?? ''} error={err('email')} autocomplete="off" maxLength={200} />
            <Submit>{p.t('admin.users.contact_save')}</Submit>
          </form>
          <h2 id="f-status">{p.t('admin.users.account')}</h2>
          <form method="post" action={`${base}/status`} class="inline-form">
            <CsrfField p={p} />
            {user.active ? (
              <Submit secondary name="change" value="deactivate" confirm={p.t('admin.users.deactivate_confirm')}>
                {p.t('admin.users.deactivate')}
              </Submit>
            ) : (
              <Submit secondary name="change" value="reactivate">
                {p.t('admin.users.reactivate')}
              </Submit>
            )}
            {user.lockedUntil || user.failedLogins > 0 ? (
              <Submit secondary name="change" value="unlock">
                {p.t('admin.users.unlock')}
              </Submit>
            ) : null}
          </form>
          <p>
            <a href={`${base}/password`}>{p.t('admin.users.reset_password')}</a>
          </p>
        </>
      ) : null}
    </OfficePage>
  );
}

function PasswordPage({ p, officer, user, issues }: { p: PageRequest; officer: Officer | null; user: UserView; issues: FormIssue[] }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  return (
    <OfficePage p={p} title={p.t('admin.users.reset_title', { username: user.username })} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href={`/office/admin/users/${user.id}`} label={user.displayName} />
      <h1>{p.t('admin.users.reset_title', { username: user.username })}</h1>
      <IssueSummary p={p} issues={issues} />
      <p>{p.t('admin.users.reset_intro')}</p>
      <form method="post" action={`/office/admin/users/${user.id}/password`} novalidate>
        <CsrfField p={p} />
        <TextField name="password" type="password" label={p.t('admin.users.new_password')} hint={p.t('admin.users.password_hint', { n: MIN_PASSWORD })} error={err('password')} autocomplete="new-password" />
        <TextField name="confirm" type="password" label={p.t('admin.users.confirm_password')} error={err('confirm')} autocomplete="new-password" />
        <Submit>{p.t('admin.users.reset_button')}</Submit>
      </form>
    </OfficePage>
  );
}

export function userAdminPages(app: ZodApp, ctx: AppContext): void {
  const today = () => localDateOf(ctx.now());

  async function showUser(req: FastifyRequest, reply: FastifyReply, id: number, issues: FormIssue[] = [], status = 200) {
    const user = await findUser(ctx.db.kysely, adminScope(req), id);
    const contact = await contactOf(ctx, id);
    return sendPage(reply, <UserPage p={req.page} officer={req.officer} user={user} units={await unitOptions(ctx, req)} issues={issues} contact={contact} />, issues.length ? 400 : status);
  }

  /** Runs a change; a FieldProblem (a rule the admin can fix) re-renders the officer's page. */
  async function change(req: FastifyRequest, reply: FastifyReply, id: number, run: () => Promise<void>, done: string) {
    try {
      await run();
    } catch (e) {
      if (e instanceof FieldProblem) return showUser(req, reply, id, [{ field: e.field, message: req.page.t(e.key) }]);
      throw e;
    }
    return redirectAfterPost(reply, `/office/admin/users/${id}?done=${done}`);
  }

  app.get('/office/admin/users', { schema: { hide: true, querystring: ListQuery } }, async (req, reply) => {
    const q = req.query.q?.trim() ?? '';
    const { users, hasNext } = await listUsers(ctx.db.kysely, adminScope(req), q, req.query.page);
    return sendPage(reply, <UsersListPage p={req.page} officer={req.officer} users={users} q={q} page={req.query.page} hasNext={hasNext} />);
  });

  app.get('/office/admin/users/new', { schema: { hide: true } }, async (req, reply) =>
    sendPage(reply, <NewUserPage p={req.page} officer={req.officer} units={await unitOptions(ctx, req)} values={{}} issues={[]} />),
  );

  app.post('/office/admin/users/new', { schema: { hide: true } }, async (req, reply) => {
    const values = body(req);
    const again = async (issues: FormIssue[]) => sendPage(reply, <NewUserPage p={req.page} officer={req.officer} units={await unitOptions(ctx, req)} values={{ ...values, password: '' }} issues={issues} />, 400);
    const parsed = NewUserForm.safeParse(values);
    if (!parsed.success) return again(issuesOf(parsed.error, req.page));
    try {
      const id = await createUser(ctx, adminScope(req), parsed.data, today(), requestMeta(req));
      return redirectAfterPost(reply, `/office/admin/users/${id}?done=created`);
    } catch (e) {
      if (e instanceof FieldProblem) return again([{ field: e.field, message: req.page.t(e.key) }]);
      throw e;
    }
  });

  app.get('/office/admin/users/:id', { schema: { hide: true, params: IdParams } }, async (req, reply) => showUser(req, reply, req.params.id));

  app.post('/office/admin/users/:id/roles', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const parsed = RoleForm.safeParse(body(req));
    if (!parsed.success) return showUser(req, reply, req.params.id, issuesOf(parsed.error, req.page));
    const { role, unitId } = parsed.data;
    return change(req, reply, req.params.id, () => addRole(ctx, adminScope(req), req.params.id, role, unitId, today(), requestMeta(req)), 'role_added');
  });

  app.post('/office/admin/users/:id/roles/remove', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const parsed = RoleForm.safeParse(body(req));
    if (!parsed.success) return showUser(req, reply, req.params.id, issuesOf(parsed.error, req.page));
    const { role, unitId } = parsed.data;
    return change(req, reply, req.params.id, () => removeRole(ctx, adminScope(req), req.params.id, role, unitId, requestMeta(req)), 'role_removed');
  });

  app.post('/office/admin/users/:id/status', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const parsed = StatusForm.safeParse(body(req));
    if (!parsed.success) return showUser(req, reply, req.params.id, [{ field: 'status', message: req.page.t('form.error.invalid') }]);
    const what = parsed.data.change;
    return change(req, reply, req.params.id, () => changeStatus(ctx, adminScope(req), req.params.id, what, requestMeta(req)), what);
  });

  app.post('/office/admin/users/:id/contact', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const parsed = ContactForm.safeParse(body(req));
    if (!parsed.success) return showUser(req, reply, req.params.id, issuesOf(parsed.error, req.page));
    const contact = parsed.data;
    return change(req, reply, req.params.id, () => setContact(ctx, adminScope(req), req.params.id, contact, requestMeta(req)), 'contact');
  });

  app.get('/office/admin/users/:id/password', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const user = await managedUser(ctx.db.kysely, adminScope(req), req.params.id);
    return sendPage(reply, <PasswordPage p={req.page} officer={req.officer} user={user} issues={[]} />);
  });

  app.post('/office/admin/users/:id/password', { schema: { hide: true, params: IdParams } }, async (req, reply) => {
    const parsed = PasswordForm.safeParse(body(req));
    if (!parsed.success) {
      const user = await managedUser(ctx.db.kysely, adminScope(req), req.params.id);
      return sendPage(reply, <PasswordPage p={req.page} officer={req.officer} user={user} issues={issuesOf(parsed.error, req.page)} />, 400);
    }
    await resetPassword(ctx, adminScope(req), req.params.id, parsed.data.password, requestMeta(req));
    return redirectAfterPost(reply, `/office/admin/users/${req.params.id}?done=password_reset`);
  });
}
