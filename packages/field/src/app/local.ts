/** The little that lives outside the member's database: this phone's id, who signed in last, a wipe notice. */
const DEVICE = 'causo.field.deviceId';
const MEMBER = 'causo.field.member';
const WIPED = 'causo.field.wiped';

export function deviceId(): string {
  let id = localStorage.getItem(DEVICE);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(DEVICE, id);
  }
  return id;
}

export interface RememberedMember {
  id: number;
  displayName: string;
}

export function rememberedMember(): RememberedMember | null {
  try {
    const v = JSON.parse(localStorage.getItem(MEMBER) ?? 'null') as RememberedMember | null;
    return v && typeof v.id === 'number' ? v : null;
  } catch {
    return null;
  }
}

export const rememberMember = (m: RememberedMember): void => localStorage.setItem(MEMBER, JSON.stringify({ id: m.id, displayName: m.displayName }));
export const forgetMember = (): void => localStorage.removeItem(MEMBER);

/** After a wipe the phone also gets a new id: the old one is marked lost on the server. */
export function markWiped(): void {
  localStorage.removeItem(MEMBER);
  localStorage.removeItem(DEVICE);
  localStorage.setItem(WIPED, '1');
}
export function takeWipedNotice(): boolean {
  const v = localStorage.getItem(WIPED) === '1';
  localStorage.removeItem(WIPED);
  return v;
}
