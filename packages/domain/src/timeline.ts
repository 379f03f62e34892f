/**
 * Folding a dossier's action log into what the II.06a report needs. The server keeps the
 * result on the dossier row as it goes; a recount folds the whole log again and must agree.
 */
import type { DossierTimeline, Phase } from './ii06a.ts';
import type { Channel, Status } from './status.ts';
import { endKind } from './status.ts';

/** One entry of the log as the fold needs it. `dueAt` is set by actions that fix a deadline. */
export interface LoggedAction {
  action: string;
  toStatus: Status;
  occurredAt: Date;
  dueAt?: Date | null;
  /** For `import`: the imported dossier's own dates. */
  receivedAt?: Date | null;
  finishedAt?: Date | null;
}

export interface TimelineState extends DossierTimeline {
  status: Status;
}

export function emptyTimeline(channel: Channel): TimelineState {
  return { channel, status: 1, receivedAt: null, phases: [], finishedAt: null, endKind: null };
}

/** Apply one logged action. Device clocks can run behind: a phase never starts before the last. */
export function applyToTimeline(t: TimelineState, a: LoggedAction): TimelineState {
  const last = t.phases[t.phases.length - 1];
  const at = last && a.occurredAt < last.from ? last.from : a.occurredAt;
  const next: TimelineState = { ...t, phases: [...t.phases], status: a.toStatus };
  const startPhase = (p: Phase) => next.phases.push(p);

  if (a.action === 'import') {
    if (a.receivedAt) {
      next.receivedAt = a.receivedAt;
      // An imported dossier waiting for a supplement is taken as paused since reception:
      // the other system's pause history is not in the file.
      startPhase({ from: a.receivedAt, paused: a.toStatus === 5, dueAt: a.dueAt ?? null });
    }
    if (a.finishedAt && endKind(a.toStatus)) {
      next.finishedAt = a.finishedAt;
      next.endKind = endKind(a.toStatus);
    }
    return next;
  }
  if ((a.action === 'create' || a.action === 'receive') && a.toStatus === 2) {
    next.receivedAt = a.occurredAt;
    startPhase({ from: a.occurredAt, paused: false, dueAt: a.dueAt ?? null });
    return next;
  }
  if (a.action === 'request_supplement') {
    startPhase({ from: at, paused: true, dueAt: last?.dueAt ?? null });
    return next;
  }
  if (a.action === 'supplement_received') {
    startPhase({ from: at, paused: false, dueAt: a.dueAt ?? last?.dueAt ?? null });
    return next;
  }
  const kind = endKind(a.toStatus);
  // 9 → 10 and 7 → 8 keep the first end: the dossier ended when it was done or withdrawn.
  if (kind && !t.finishedAt) {
    next.finishedAt = at;
    next.endKind = kind;
  }
  return next;
}

export function foldActions(channel: Channel, actions: LoggedAction[]): TimelineState {
  return actions.reduce(applyToTimeline, emptyTimeline(channel));
}
