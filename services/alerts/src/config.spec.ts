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

describe('AlertsConfig: the stalled period, one setting with the agreements service', () => {
  it.each([
    ['nothing set: 180 days', {}, 180],
    ['STALLED_AFTER_DAYS, as the agreements service reads it', { STALLED_AFTER_DAYS: '90' }, 90],
    ['ALERT_STALLED_AFTER_DAYS alone', { ALERT_STALLED_AFTER_DAYS: '60' }, 60],
    ['both: ALERT_STALLED_AFTER_DAYS for the alerts service', { STALLED_AFTER_DAYS: '90', ALERT_STALLED_AFTER_DAYS: '30' }, 30],
  ])('given %s, agreement.stalled after %s days', (_name, env, expected) => {
    expect(loadConfig(AlertsConfig, env).policy().stalledAfterDays).toBe(expected);
  });

  it.each([
    ['STALLED_AFTER_DAYS', '0', 'STALLED_AFTER_DAYS must be an integer between 1 and 3650'],
    ['ALERT_STALLED_AFTER_DAYS', 'half a year', 'ALERT_STALLED_AFTER_DAYS must be an integer between 1 and 3650, or unset to follow STALLED_AFTER_DAYS'],
  ])('refuses %s=%s, saying what it takes', (variable, value, message) => {
    expect(() => loadConfig(AlertsConfig, { [variable]: value })).toThrow(message);
  });
});
