import { loadConfig } from '@tracker/platform';
import { AlertsConfig } from './config';

describe('AlertsConfig: SILENCES_REFRESH_MS', () => {
  it.each([
    ['unset: 5 s', {}, 5000],
    ['a quicker refresh', { SILENCES_REFRESH_MS: '250' }, 250],
    ['ten minutes at most', { SILENCES_REFRESH_MS: '600000' }, 600000],
  ])('given %s, silences are re-read every %s ms', (_name, env, expected) => {
    expect(loadConfig(AlertsConfig, env).SILENCES_REFRESH_MS).toBe(expected);
  });

  it.each(['0', '99', '600001', '1.5', 'soon'])('refuses %s, saying what it takes', (value) => {
    expect(() => loadConfig(AlertsConfig, { SILENCES_REFRESH_MS: value })).toThrow('SILENCES_REFRESH_MS must be an integer between 100 and 600000');
  });
});
