/** Errors on pages are pages too: in the reader's language, saying what to do next. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemMessage, type Language } from '@causo/domain';
import type { Problem } from '../http/problem.ts';
import { OfficePage, PortalPage } from './layout.tsx';
import { sendPage } from './render.tsx';
import { buildPageRequest } from './request.ts';

export function sendErrorPage(req: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  const p = req.page ?? buildPageRequest(req, reply, false);
  const messages = problemMessage(problem.code);
  const message = (messages as Record<string, string>)[p.lang as Language] ?? messages.vi;
  const title = p.t(`error.title.${problem.status}`) === `error.title.${problem.status}` ? p.t('error.title.generic') : p.t(`error.title.${problem.status}`);
  const office = req.url.startsWith('/office');
  const body = (
    <>
      <h1>{title}</h1>
      <p class="lead">{message}</p>
      <p>
        <a href={office ? '/office' : '/'}>{p.t('error.go_home')}</a>
      </p>
    </>
  );
  const page = office ? (
    <OfficePage p={p} title={title} officer={req.officer}>
      {body}
    </OfficePage>
  ) : (
    <PortalPage p={p} title={title} citizen={req.citizen}>
      {body}
    </PortalPage>
  );
  return sendPage(reply, page, problem.status);
}
