/**
 * PostgreSQL URLs with several hosts, as libpq reads them:
 * `postgres://user@db1:5432,db2:5433/causo?target_session_attrs=read-write`.
 * node-postgres connects to one host only, so the pool (failoverPool.ts) picks a host itself
 * and hands node-postgres a one-host URL built here.
 */

export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'primary', 'read-only', 'standby', 'prefer-standby'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export interface PgHost {
  host: string;
  port: number;
}

export interface PgHostsUrl {
  hosts: PgHost[];
  /** From `?target_session_attrs=`; `undefined` when not given (libpq's default is `any`). */
  target: TargetSessionAttrs | undefined;
  /** The URL for one host: same user, password, database and other parameters. */
  forHost(h: PgHost): string;
  /** Hosts and database, never the user or password (for logs and /healthz). */
  describe(): string;
}

export class PgUrlError extends Error {}

const URL_SHAPE = /^(postgres(?:ql)?):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/;

function parseHost(spec: string): PgHost {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(spec);
  if (!m) throw new PgUrlError(`"${spec}" is not host or host:port`);
  const port = m[2] === undefined ? 5432 : Number(m[2]);
  if (port < 1 || port > 65535) throw new PgUrlError(`port ${m[2]} is out of range`);
  return { host: decodeURIComponent(m[1] ?? '') || 'localhost', port };
}

export function parsePgUrl(url: string): PgHostsUrl {
  const m = URL_SHAPE.exec(url);
  if (!m) throw new PgUrlError('is not a postgres:// URL');
  const [, scheme, auth, hostList = '', path = '', query = ''] = m;
  const hosts = (hostList || 'localhost').split(',').map((s) => parseHost(s.trim()));
  const params = new URLSearchParams(query.slice(1));
  const raw = params.get('target_session_attrs');
  if (raw !== null && !(TARGET_SESSION_ATTRS as readonly string[]).includes(raw))
    throw new PgUrlError(`target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')}`);
  // node-postgres would pass an unknown parameter on to the server as a setting; it is ours.
  params.delete('target_session_attrs');
  const rest = params.toString();
  const hostPart = (h: PgHost) => `${h.host.includes(':') && !h.host.startsWith('[') ? `[${h.host}]` : h.host}:${h.port}`;
  return {
    hosts,
    target: (raw ?? undefined) as TargetSessionAttrs | undefined,
    forHost: (h) => `${scheme}://${auth !== undefined ? `${auth}@` : ''}${hostPart(h)}${path}${rest ? `?${rest}` : ''}`,
    describe: () => `postgres://${hosts.map(hostPart).join(',')}${path}`,
  };
}

/** A message for configuration errors, or null when the URL is usable. */
export function pgUrlProblem(url: string): string | null {
  try {
    parsePgUrl(url);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
