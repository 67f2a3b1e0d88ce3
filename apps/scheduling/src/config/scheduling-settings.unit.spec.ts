import { randomBytes } from 'node:crypto';
import { ConfigurationError, loadServiceConfig, startService } from '@trainyard/platform';
import { PLANNING_EVENTS_TOPIC } from '@trainyard/planning-contracts';
import { DEFAULT_ADMISSION_LIMITS } from '@trainyard/scheduling-domain';
import { schedulingService } from '../scheduling.service';
import { schedulingSettings } from './scheduling-settings';

// The scheduling service's own settings are validated with the platform's at start: defaults,
// values given, and every wrong value named (a typo used to be ignored or read too late).
const load = (env: NodeJS.ProcessEnv) => loadServiceConfig('scheduling', env, schedulingSettings);
const messageOf = (attempt: () => unknown): string => {
  try {
    attempt();
  } catch (error) {
    return error instanceof ConfigurationError
      ? error.message
      : `not a ConfigurationError: ${String(error)}`;
  }
  return 'nothing thrown';
};

describe('scheduling settings', () => {
  it('given nothing, defaults as the settings did when read by hand', () => {
    const config = load({});
    expect(config).toMatchObject({
      SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM: DEFAULT_ADMISSION_LIMITS.maxQueuedPerTeam,
      SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: DEFAULT_ADMISSION_LIMITS.maxQueuedPerJob,
      SCHEDULING_PLANNING_TOPIC: PLANNING_EVENTS_TOPIC,
      OVERRIDE_SWEEP_INTERVAL_MS: 60_000,
      JOB_SLA_WATCH_INTERVAL_MS: 30_000,
      JOB_SLA_LOOKBACK_HOURS: 24,
      JOB_DURATION_HISTORY_DAYS: 30,
      JOB_ZOMBIE_DAYS: 30,
      JOB_KNOWN_TEAMS: [],
      SCHEDULING_ICAL_IMPORT_ALLOWED_URLS: [],
      SCHEDULING_ICAL_IMPORT_INTERVAL_MS: 15 * 60_000,
      SCHEDULING_ICAL_IMPORT_MAX_BYTES: 5 * 1024 * 1024,
      SCHEDULING_HTTP_ALLOWLIST: [],
      SCHEDULING_HTTP_MAX_RESPONSE_BYTES: 1024 * 1024,
      SCHEDULING_HTTP_MAX_REDIRECTS: 5,
      SCHEDULING_COMMAND_USER: 'nobody',
      SCHEDULING_COMMAND_MEMORY_BYTES: 512 * 1024 * 1024,
      SCHEDULING_COMMAND_MAX_OUTPUT_BYTES: 64 * 1024,
      SCHEDULING_COMMAND_CWD: '/',
      SCHEDULING_KAFKA_TOPIC_ALLOWLIST: [],
    });
    expect(config.SCHEDULING_SECRETS_KEK).toBeUndefined();
    expect(config.SCHEDULING_COMMAND_PROGRAMS.size).toBe(0);
    expect(config.SCHEDULING_SECRETS_PREVIOUS_KEKS.size).toBe(0);
  });

  it('given values, uses them; an empty value means the default', () => {
    const config = load({
      SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM: '20',
      SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: '2',
      SCHEDULING_PLANNING_TOPIC: 'test.planning-events.1',
      OVERRIDE_SWEEP_INTERVAL_MS: '',
      JOB_SLA_WATCH_INTERVAL_MS: '0',
      JOB_KNOWN_TEAMS: 'finance, ops',
      SCHEDULING_ICAL_IMPORT_ALLOWED_URLS: 'https://cal.example/feeds/',
      SCHEDULING_COMMAND_PROGRAMS: 'report=/usr/bin/true',
      SCHEDULING_KAFKA_TOPIC_ALLOWLIST: 'jobs.out, exports.',
    });
    expect(config).toMatchObject({
      SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM: 20,
      SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: 2,
      SCHEDULING_PLANNING_TOPIC: 'test.planning-events.1',
      OVERRIDE_SWEEP_INTERVAL_MS: 60_000,
      JOB_SLA_WATCH_INTERVAL_MS: 0,
      JOB_KNOWN_TEAMS: ['finance', 'ops'],
      SCHEDULING_KAFKA_TOPIC_ALLOWLIST: ['jobs.out', 'exports.'],
    });
    expect(config.SCHEDULING_ICAL_IMPORT_ALLOWED_URLS.map(String)).toEqual([
      'https://cal.example/feeds/',
    ]);
    expect([...config.SCHEDULING_COMMAND_PROGRAMS]).toEqual([['report', '/usr/bin/true']]);
  });

  it.each([
    ['SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM', '0'],
    ['SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM', 'lots'],
    ['SCHEDULING_MAX_QUEUED_RUNS_PER_JOB', '1.5'],
    ['SCHEDULING_PLANNING_TOPIC', 'planning events'],
    ['OVERRIDE_SWEEP_INTERVAL_MS', '5'],
    ['OVERRIDE_SWEEP_INTERVAL_MS', '99999999999'],
    ['JOB_SLA_WATCH_INTERVAL_MS', '50'],
    ['JOB_SLA_LOOKBACK_HOURS', '0'],
    ['JOB_DURATION_HISTORY_DAYS', 'month'],
    ['JOB_ZOMBIE_DAYS', '4000'],
    ['JOB_KNOWN_TEAMS', 'Finance Team'],
    ['SCHEDULING_ICAL_IMPORT_ALLOWED_URLS', 'ftp://cal.example/'],
    ['SCHEDULING_ICAL_IMPORT_INTERVAL_MS', '999'],
    ['SCHEDULING_ICAL_IMPORT_MAX_BYTES', '-1'],
    ['SCHEDULING_HTTP_ALLOWLIST', 'ftp://x'],
    ['SCHEDULING_HTTP_MAX_RESPONSE_BYTES', '-1'],
    ['SCHEDULING_HTTP_MAX_REDIRECTS', '50'],
    ['SCHEDULING_COMMAND_PROGRAMS', 'x=bin/x'],
    ['SCHEDULING_COMMAND_PROGRAMS', 'a=/x,a=/y'],
    ['SCHEDULING_COMMAND_USER', 'no body'],
    ['SCHEDULING_COMMAND_MEMORY_BYTES', '0'],
    ['SCHEDULING_COMMAND_PRLIMIT', '/no/such/prlimit'],
    ['SCHEDULING_COMMAND_PRLIMIT', 'prlimit'],
    ['SCHEDULING_COMMAND_MAX_OUTPUT_BYTES', 'big'],
    ['SCHEDULING_COMMAND_CWD', 'relative/dir'],
    ['SCHEDULING_SECRETS_KEK_ID', 'has spaces'],
  ])('refuses %s=%s, naming the variable and the value', (variable, value) => {
    const attempt = () => load({ [variable]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(`${variable}: `);
    expect(attempt).toThrow(`(got ${JSON.stringify(value)})`);
  });

  it.each([
    ['SCHEDULING_SECRETS_KEK', 'short'],
    ['SCHEDULING_SECRETS_KEK', randomBytes(16).toString('base64')],
    ['SCHEDULING_SECRETS_PREVIOUS_KEKS', 'nope'],
  ])('refuses %s malformed, naming the variable, never echoing the key', (variable, value) => {
    const message = messageOf(() => load({ [variable]: value }));
    expect(message).toMatch(new RegExp(`${variable}: .*\\(value withheld: a secret\\)`));
    expect(message).not.toContain(value);
  });

  it('names every wrong variable at once', () => {
    expect(() =>
      load({ SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: '0', JOB_ZOMBIE_DAYS: 'x', GRPC_PORT: '-1' }),
    ).toThrow(/GRPC_PORT: .*; SCHEDULING_MAX_QUEUED_RUNS_PER_JOB: .*; JOB_ZOMBIE_DAYS: /);
  });

  it('stops the service start before anything connects, naming the variable (exit 78 in main)', async () => {
    await expect(
      startService(schedulingService, { SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM: 'ten' }),
    ).rejects.toThrow(
      new ConfigurationError(
        'invalid configuration: SCHEDULING_MAX_QUEUED_RUNS_PER_TEAM: expected runs (got "ten")',
      ),
    );
  });
});

describe('OVERRIDE_SWEEP_INTERVAL_MS', () => {
  it('sweeps every minute unless it says otherwise', () => {
    expect(load({}).OVERRIDE_SWEEP_INTERVAL_MS).toBe(60_000);
    expect(load({ OVERRIDE_SWEEP_INTERVAL_MS: '250' }).OVERRIDE_SWEEP_INTERVAL_MS).toBe(250);
  });

  it.each(['0', '-5', '1.5', 'soon', '99999999999'])('refuses %s naming the variable', (value) => {
    expect(() => load({ OVERRIDE_SWEEP_INTERVAL_MS: value })).toThrow(
      /OVERRIDE_SWEEP_INTERVAL_MS: expected/,
    );
  });
});
