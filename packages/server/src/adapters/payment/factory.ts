import { hkdfSync } from 'node:crypto';
import { ConfigError, type Config } from '../../config.ts';
import type { PaymentGateway } from './port.ts';
import { SandboxGateway } from './sandbox.ts';
import { VnpayGateway } from './vnpay.ts';

/** The local sandbox (default) or VNPay, by PAYMENT_GATEWAY. */
export function createPaymentGateway(config: Config): PaymentGateway {
  if (config.PAYMENT_GATEWAY === 'vnpay') {
    if (!config.VNPAY_TMN_CODE || !config.VNPAY_HASH_SECRET)
      throw new ConfigError('Invalid configuration: PAYMENT_GATEWAY=vnpay needs VNPAY_TMN_CODE and VNPAY_HASH_SECRET (from your VNPay merchant account).');
    return new VnpayGateway({ tmnCode: config.VNPAY_TMN_CODE, hashSecret: config.VNPAY_HASH_SECRET, payUrl: config.VNPAY_URL, apiUrl: config.VNPAY_API_URL });
  }
  // The sandbox's secret is derived from DATA_KEY: nothing to configure, and it differs per install.
  const secret = Buffer.from(hkdfSync('sha256', Buffer.from(config.dataKey, 'utf8'), 'causo', 'payment-sandbox-secret', 32)).toString('hex');
  return new SandboxGateway(secret);
}
