/**
 * A token bucket: at most `ratePerSecond` takes per second on average, with bursts up to one
 * second's worth. The notification worker takes one token per message, so a provider's
 * contracted rate is never exceeded by one app server.
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class TokenBucket {
  #tokens: number;
  #last = performance.now();

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity = ratePerSecond,
  ) {
    this.#tokens = capacity;
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) * this.ratePerSecond) / 1000);
    this.#last = now;
  }

  /** Resolves when a token is available and takes it. Waiters are served in arrival order. */
  async take(): Promise<void> {
    this.#refill();
    // Reserve now (the count may go negative) and wait for the debt to be paid back.
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    await sleep((-this.#tokens * 1000) / this.ratePerSecond);
  }
}
