/**
 * Every limit of opening an account and signing in, in one place (tests read them too).
 * Limits per IP address are generous: carriers put many phones behind one address (CGNAT),
 * and a commune office shares one; limits per phone number and per code are strict.
 */
export const LIMITS = {
  /** A code is valid this long after it was sent. */
  codeTtlMinutes: 5,
  /** Wrong entries allowed for one code. */
  codeTries: 5,
  /** New codes a citizen may ask for on one sign-up or sign-in, after the first. */
  resends: 3,
  /** Wait between two codes for the same sign-up or sign-in. */
  resendWaitSeconds: 60,
  /** Codes sent to one phone number in an hour (all purposes). */
  codesPerPhonePerHour: 5,
  /** Codes asked for from one IP address in an hour. */
  codesPerIpPerHour: 30,
  /** A sign-up in progress expires after this long. */
  signupTtlMinutes: 30,
  /** Wrong passwords for one phone number before it is locked … */
  passwordFailures: 5,
  /** … for this long. */
  lockMinutes: 15,
  /** Requests per IP address (fastify rate-limit, per route and window). */
  perIp: {
    detailsChecks: { max: 10, timeWindow: '10 minutes' },
    signIns: { max: 20, timeWindow: '10 minutes' },
    codeEntries: { max: 30, timeWindow: '10 minutes' },
    codeRequests: { max: 15, timeWindow: '10 minutes' },
  },
} as const;
