/**
 * The telecom subscriber register: is this phone number registered to this person?
 * (thuê bao chính chủ). The local simulator answers from a subscriber file with the real
 * failure modes; a real provider is plugged in by configuration. Nothing pretends a simulated
 * answer was real: every answer says which register gave it.
 */
export type OwnershipAnswer =
  | { result: 'matched'; register: string }
  | { result: 'mismatched'; register: string }
  | { result: 'unknown_number'; register: string }
  | { result: 'unavailable'; register: string; reason: string };

export interface SubscriberCheck {
  phone: string;
  idNumber: string;
  fullName: string;
  birthDate: string;
}

export interface TelecomRegister {
  readonly name: string;
  checkOwnership(q: SubscriberCheck): Promise<OwnershipAnswer>;
}
