/**
 * Bulk loading of dossiers that come from outside the platform's own actions: the CSV import
 * from another one-stop system, the full demo seed and the benchmarks. One transaction; rows go
 * in with COPY; each dossier gets one `import` entry in its action log; the II.06a counters are
 * computed with the same domain function (contributionOf) the live path uses.
 */
import type { Status, Channel } from '@causo/domain';
import type { Db } from '../../db/database.ts';

export interface BulkDossier {
  code: string;
  procedureId: number;
  sectorCode: string;
  unitId: number;
  /** The unit and its ancestors (units.ancestor_ids), for the counters. */
  unitAncestorIds: number[];
  provinceCode: string;
  channel: Channel;
  status: Status;
  submittedAt: Date;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  applicantName: string;
}

export interface BulkLoadOptions {
  /** Who loaded them (audit and the log's actor), null for the system. */
  actorId: number | null;
  /** Makes each log entry's transaction id unique and traceable: `${prefix}:${code}`. */
  transactionPrefix: string;
  /** Called with the number of rows written so far. */
  onProgress?: (done: number) => void;
}

export async function bulkLoadDossiers(_db: Db, _batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>, _opts: BulkLoadOptions): Promise<{ inserted: number }> {
  throw new Error('bulkLoadDossiers: being written');
}
