/**
 * At most `count` starts in any window of `windowMs`: the Actions cache
 * accepts about 200 new entries per minute per repository.
 */
export class RateLimit {
  private readonly starts: number[] = [];

  constructor(
    private readonly count: number,
    private readonly windowMs: number,
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.starts.length > 0 && now - (this.starts[0] as number) >= this.windowMs) this.starts.shift();
      if (this.starts.length < this.count) {
        this.starts.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, (this.starts[0] as number) + this.windowMs - now));
    }
  }
}
