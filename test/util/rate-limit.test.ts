import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimit, type Clock } from '../../src/util/rate-limit.js';

/** A clock that only moves when the code under test sleeps. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

describe('rate limit for cache saves', () => {
  it('lets 200 saves start at once, then makes the 201st wait for the window', async () => {
    const clock = fakeClock();
    const limit = new RateLimit(200, 60_000, clock);
    for (let i = 0; i < 200; i++) await limit.acquire();
    assert.deepEqual(clock.slept, []);
    await limit.acquire();
    assert.deepEqual(clock.slept, [60_000]);
  });

  it('counts a sliding window, not fixed minutes', async () => {
    const clock = fakeClock();
    const limit = new RateLimit(2, 1000, clock);
    await limit.acquire(); // t=0
    await clock.sleep(600);
    await limit.acquire(); // t=600
    await limit.acquire(); // must wait until t=1000, when the first leaves
    assert.equal(clock.now(), 1000);
    await limit.acquire(); // then until t=1600
    assert.equal(clock.now(), 1600);
  });
});
