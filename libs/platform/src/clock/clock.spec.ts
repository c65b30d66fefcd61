import { SystemClock } from './clock';

describe('clocks', () => {
  it('SystemClock follows the wall clock, shifted by its offset', () => {
    const day = 86_400_000;
    const before = Date.now();
    const t = new SystemClock(day).now().getTime();
    expect(t).toBeGreaterThanOrEqual(before + day);
    expect(t).toBeLessThanOrEqual(Date.now() + day);
  });
});
