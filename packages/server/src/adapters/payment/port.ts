/**
 * Payment gateways: create a payment and send the citizen to the gateway's page, receive its
 * signed callback, and ask it about payments still pending (reconciliation). The demo and the
 * tests use a local sandbox gateway served by this server.
 */
export interface PaymentRequest {
  reference: string;
  amount: number;
  description: string;
  returnUrl: string;
}

export interface PaymentStatusAnswer {
  reference: string;
  status: 'pending' | 'paid' | 'failed' | 'unknown';
  providerTxn?: string;
  amount?: number;
}

export interface PaymentGateway {
  readonly name: string;
  /** The URL to send the citizen to. */
  startPayment(req: PaymentRequest): Promise<{ redirectUrl: string; providerTxn: string }>;
  /** Verifies a callback's signature and reads it; null when the signature is wrong. */
  verifyCallback(params: Record<string, string>): PaymentStatusAnswer | null;
  queryStatus(reference: string): Promise<PaymentStatusAnswer>;
}
