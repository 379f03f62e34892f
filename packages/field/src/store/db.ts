/**
 * The phone's database (IndexedDB through Dexie), one per signed-in member: its name carries the
 * member id, so two people sharing a phone never see each other's records.
 */
import { Dexie, type Table } from 'dexie';
import type { Envelope, FileRef } from '@causo/domain';
import type { OutboxState } from '../sync/types.ts';
import type { RecordData } from '../sync/localRecords.ts';

/** A record as stored: personal fields of residents are moved into `sealed` (AES-GCM). */
export interface RecordRow {
  id: string;
  version: number;
  data: RecordData;
  server: RecordData | null;
  /** Residents: the sealed personal fields of `data` and `server`. */
  sealed: string | null;
  /** Index fields, copied from data. */
  villageCode?: string;
  householdId?: string;
  residentId?: string;
  dueDate?: string;
  status?: string;
}

export interface OutboxRow {
  seq?: number;
  id: string;
  /** The record it changes, "entity:id" (see localRecords.targetOf). */
  target: string;
  state: OutboxState;
  /** The envelope with a resident's personal fields taken out of the payload into `sealed`. */
  envelope: Envelope;
  sealed: string | null;
  files: string[];
  code: string | null;
  message: string | null;
  updatedAt: string;
}

export interface FileRow extends FileRef {
  body: Blob;
  uploaded: 0 | 1;
}

export interface MetaRow {
  key: string;
  value: string;
}

export const RECORD_TABLES = {
  household: 'households',
  resident: 'residents',
  visit: 'visits',
  blocker: 'blockers',
  follow_up: 'followUps',
  application: 'applications',
  conflict: 'conflicts',
} as const;
export type RecordTableName = (typeof RECORD_TABLES)[keyof typeof RECORD_TABLES];

export class FieldDb extends Dexie {
  households!: Table<RecordRow, string>;
  residents!: Table<RecordRow, string>;
  visits!: Table<RecordRow, string>;
  blockers!: Table<RecordRow, string>;
  followUps!: Table<RecordRow, string>;
  applications!: Table<RecordRow, string>;
  conflicts!: Table<RecordRow, string>;
  outbox!: Table<OutboxRow, number>;
  files!: Table<FileRow, string>;
  meta!: Table<MetaRow, string>;

  constructor(memberId: number) {
    super(dbNameOf(memberId));
    this.version(1).stores({
      households: 'id, villageCode',
      residents: 'id, householdId',
      visits: 'id, householdId',
      blockers: 'id, householdId, status',
      followUps: 'id, householdId, dueDate',
      applications: 'id, residentId',
      conflicts: 'id, status',
      outbox: '++seq, &id, state, target',
      files: 'sha256',
      meta: 'key',
    });
  }

  recordTable(entity: keyof typeof RECORD_TABLES): Table<RecordRow, string> {
    return this.table(RECORD_TABLES[entity]);
  }
}

export const dbNameOf = (memberId: number): string => `causo-field-${memberId}`;
