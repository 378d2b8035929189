/** How a rate limit reads time and waits; tests drive a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * At most `count` starts in any window of `windowMs`: the Actions cache
 * accepts about 200 new entries per minute per repository.
 */
export class RateLimit {
  private readonly starts: number[] = [];

  constructor(
    private readonly count: number,
    private readonly windowMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (this.starts.length > 0 && now - (this.starts[0] as number) >= this.windowMs) this.starts.shift();
      if (this.starts.length < this.count) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep((this.starts[0] as number) + this.windowMs - now);
    }
  }
}
