/** The clear page for an action the dossier's status no longer allows (HTTP 409). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Status } from '@causo/domain';
import { PortalPage } from '../../../../web/layout.tsx';
import { sendPage } from '../../../../web/render.tsx';
import { statusText } from './parts.tsx';

export type NotNowKind = 'withdraw' | 'supplement' | 'pay';

export function sendNotNow(req: FastifyRequest, reply: FastifyReply, kind: NotNowKind, code: string, status: Status): FastifyReply {
  const p = req.page;
  const title = p.t(`track.notnow.${kind}.title`);
  return sendPage(
    reply,
    <PortalPage p={p} title={title} citizen={req.citizen}>
      <h1>{title}</h1>
      <p class="lead">{p.t(`track.notnow.${kind}.text`, { status: statusText(p, status) })}</p>
      <p>
        <a class="button" href={`/my/${encodeURIComponent(code)}`}>
          {p.t('track.notnow.back')}
        </a>
      </p>
    </PortalPage>,
    409,
  );
}
