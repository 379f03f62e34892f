/**
 * Payment gateways: create a payment and send the citizen to the gateway's page, receive its
 * signed callback, and ask it about payments still pending (reconciliation). The demo and the
 * tests use a local sandbox gateway served by this server that speaks the same protocol.
 */
export interface PaymentRequest {
  reference: string;
  /** Whole đồng. */
  amount: number;
  description: string;
  /** Absolute URL the gateway sends the citizen back to. */
  returnUrl: string;
  /** When the payment was created (the gateway wants it in its local time). */
  createdAt: Date;
  /** The citizen's IP address, which gateways record. */
  ipAddr?: string;
  locale?: 'vi' | 'en';
}

export type GatewayStatus = 'pending' | 'paid' | 'failed' | 'cancelled' | 'unknown';

export interface PaymentStatusAnswer {
  reference: string;
  status: GatewayStatus;
  providerTxn?: string;
  /** Whole đồng, as the gateway says it was paid. */
  amount?: number;
  paidAt?: Date;
  /** The gateway's own response code, kept in the payment's callback summary. */
  responseCode?: string;
  bankCode?: string;
}

/** What we made of a callback; each gateway answers it in its own format. */
export type CallbackOutcome = 'confirmed' | 'already_confirmed' | 'not_found' | 'amount_mismatch' | 'bad_signature' | 'error';

export interface PaymentGateway {
  readonly name: string;
  /** The URL to send the citizen to. */
  startPayment(req: PaymentRequest): Promise<{ redirectUrl: string; providerTxn: string }>;
  /** Verifies a callback's (return or IPN) signature and reads it; null when the signature is wrong. */
  verifyCallback(params: Record<string, string>): PaymentStatusAnswer | null;
  /** Asks the gateway what became of a payment (its create time is part of the question). */
  queryStatus(q: { reference: string; createdAt: Date; now: Date }): Promise<PaymentStatusAnswer>;
  /** The body and status the gateway expects in answer to its server-to-server callback. */
  callbackReply(outcome: CallbackOutcome): { status: number; body: Record<string, string> };
}
