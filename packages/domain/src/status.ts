/**
 * The dossier state machine: national status codes 1–10 (trạng thái hồ sơ) and the actions
 * that move a dossier between them. The server, the back office and the field app all ask
 * this module what is allowed; anything else is refused with 409.
 */
export const STATUS = {
  new: 1, // Mới đăng ký — submitted online, not yet received
  accepted: 2, // Được tiếp nhận
  refused: 3, // Không được tiếp nhận
  processing: 4, // Đang xử lý
  supplementRequested: 5, // Yêu cầu bổ sung giấy tờ
  feesDue: 6, // Yêu cầu thực hiện nghĩa vụ tài chính
  withdrawalRequested: 7, // Công dân yêu cầu rút hồ sơ
  stopped: 8, // Dừng xử lý
  done: 9, // Đã xử lý xong
  resultReturned: 10, // Đã trả kết quả
} as const;
export type Status = (typeof STATUS)[keyof typeof STATUS];
export const STATUSES: readonly Status[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export const CHANNEL = { counter: 1, online: 2, post: 3 } as const;
export type Channel = (typeof CHANNEL)[keyof typeof CHANNEL];
export const CHANNELS: readonly Channel[] = [1, 2, 3];

export const ACTIONS = [
  'receive',
  'refuse',
  'start_processing',
  'request_supplement',
  'supplement_received',
  'request_fees',
  'fees_paid',
  'request_withdrawal',
  'stop',
  'finish',
  'return_result',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Where each action may start from and where it leads. */
const TRANSITIONS: Record<Action, { from: readonly Status[]; to: Status }> = {
  receive: { from: [1], to: 2 },
  refuse: { from: [1], to: 3 },
  start_processing: { from: [2], to: 4 },
  request_supplement: { from: [2, 4], to: 5 },
  supplement_received: { from: [5], to: 4 },
  request_fees: { from: [2, 4], to: 6 },
  fees_paid: { from: [6], to: 4 },
  request_withdrawal: { from: [2, 4, 5, 6], to: 7 },
  // An officer stops processing, or confirms a citizen's withdrawal request.
  stop: { from: [2, 4, 5, 6, 7], to: 8 },
  finish: { from: [4], to: 9 },
  return_result: { from: [9], to: 10 },
};

/** The status an action leads to from `status`, or null when the action is not allowed. */
export function nextStatus(status: Status, action: Action): Status | null {
  const t = TRANSITIONS[action];
  return t.from.includes(status) ? t.to : null;
}

export function availableActions(status: Status): Action[] {
  return ACTIONS.filter((a) => nextStatus(status, a) !== null);
}

/** Status 1 and 3 never entered the one-stop's books. */
export function wasReceived(status: Status): boolean {
  return status !== 1 && status !== 3;
}

/** How a dossier ended, for reporting: resolved (9, 10) or withdrawn/stopped (7, 8). */
export function endKind(status: Status): 'resolved' | 'withdrawn' | null {
  if (status === 9 || status === 10) return 'resolved';
  if (status === 7 || status === 8) return 'withdrawn';
  return null;
}

export function isFinal(status: Status): boolean {
  return status === 3 || status === 8 || status === 10;
}

/** Roles an officer can hold on a unit subtree. */
export const ROLES = ['admin', 'leader', 'officer', 'specialist', 'member', 'citizen'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who may take each action. One-stop officers own reception and returns; specialists process;
 * admins may do anything. A citizen, through the portal, may ask to withdraw, answer a
 * supplement request and pay fees.
 */
const ACTION_ROLES: Record<Action, readonly Role[]> = {
  receive: ['admin', 'officer'],
  refuse: ['admin', 'officer'],
  start_processing: ['admin', 'officer', 'specialist'],
  request_supplement: ['admin', 'officer', 'specialist'],
  // A citizen answering a supplement request online hands the papers in themself.
  supplement_received: ['admin', 'officer', 'citizen'],
  request_fees: ['admin', 'officer', 'specialist'],
  // Paid online through the payment gateway, recorded on the citizen's behalf.
  fees_paid: ['admin', 'officer', 'citizen'],
  request_withdrawal: ['admin', 'officer', 'citizen'],
  stop: ['admin', 'officer', 'leader'],
  finish: ['admin', 'officer', 'specialist'],
  return_result: ['admin', 'officer'],
};

export function roleMayTake(role: Role, action: Action): boolean {
  return ACTION_ROLES[action].includes(role);
}

export const STATUS_NAMES: Record<Status, { vi: string; en: string }> = {
  1: { vi: 'Mới đăng ký', en: 'New (submitted online)' },
  2: { vi: 'Được tiếp nhận', en: 'Accepted' },
  3: { vi: 'Không được tiếp nhận', en: 'Refused' },
  4: { vi: 'Đang xử lý', en: 'Processing' },
  5: { vi: 'Yêu cầu bổ sung giấy tờ', en: 'Supplement requested' },
  6: { vi: 'Yêu cầu thực hiện nghĩa vụ tài chính', en: 'Fees due' },
  7: { vi: 'Công dân yêu cầu rút hồ sơ', en: 'Withdrawal requested' },
  8: { vi: 'Dừng xử lý', en: 'Stopped' },
  9: { vi: 'Đã xử lý xong', en: 'Done' },
  10: { vi: 'Đã trả kết quả', en: 'Result returned' },
};
