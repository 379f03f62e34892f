/** Small pieces every back-office page route needs. */
import type { FastifyRequest } from 'fastify';
import { Problem } from '../http/problem.ts';
import type { Officer } from '../modules/auth/service.ts';

/** Content types of the downloads offered next to a table or report. */
export const DOWNLOAD_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
} as const;

/** The signed-in officer; the web plugin already sent anyone else to the sign-in page. */
export function officerOf(req: FastifyRequest): Officer {
  if (!req.officer) throw new Problem(401, 'auth.required');
  return req.officer;
}
