/** The field endpoints that are not sync: sign-in, bootstrap, sign-out. */
import type { FormFieldDef } from '@causo/domain';
import { errorOf } from '../sync/httpTransport.ts';
import { TransportError } from '../sync/types.ts';

export interface Member {
  id: number;
  displayName: string;
}
export interface Village {
  code: string;
  name: string;
  communeCode: string;
  communeName: string;
  team: { name: string; members: Member[] };
}
export interface Procedure {
  code: string;
  nameVi: string;
  nameEn: string;
  form: FormFieldDef[];
}
export interface Bootstrap {
  member: Member;
  villages: Village[];
  procedures: Procedure[];
  serverTime: string;
}
export interface SignInAnswer {
  token: string;
  expiresAt: string;
  member: Member;
}

async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new TransportError('network', null, null, err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function signIn(input: { username: string; password: string; totp?: string; deviceId: string; deviceLabel: string }): Promise<SignInAnswer> {
  return (await (await call('POST', '/api/v1/field/sign-in', input)).json()) as SignInAnswer;
}

const auth = (token: string, deviceId: string) => ({ authorization: `Bearer ${token}`, 'x-device-id': deviceId });

export async function fetchBootstrap(token: string, deviceId: string): Promise<Bootstrap> {
  return (await (await call('GET', '/api/v1/field/bootstrap', undefined, auth(token, deviceId))).json()) as Bootstrap;
}

export async function signOut(token: string, deviceId: string): Promise<void> {
  await call('POST', '/api/v1/field/sign-out', {}, auth(token, deviceId));
}

/** A label the admin recognises in the device list. */
export function deviceLabel(): string {
  const ua = navigator.userAgent;
  const model = /Android [\d.]+; ([^;)]+)/.exec(ua)?.[1] ?? (/(iPhone|iPad|Windows|Macintosh|Linux)/.exec(ua)?.[1] ?? 'Browser');
  return model.slice(0, 60);
}
