import { ConfigurationError, loadServiceConfig } from '@trainyard/platform';
import { schedulingSettings } from '../../config/scheduling-settings';
import { executorsConfigOf, parseCommandPrograms, resolveRunAs } from './executors.config';

const loadExecutorsConfig = (env: NodeJS.ProcessEnv) =>
  executorsConfigOf(loadServiceConfig('scheduling', env, schedulingSettings));

const PASSWD =
  'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

describe('executors configuration', () => {
  it('given nothing configured, then no HTTP target, no program and no topic prefix is allowed', () => {
    const config = loadExecutorsConfig({});
    expect(config.http.allowlist).toEqual([]);
    expect(config.command.programs.size).toBe(0);
    expect(config.kafka.topicPrefixes).toBeUndefined();
    expect(config.http.maxResponseBytes).toBe(1024 * 1024);
  });

  it('maps program names to absolute paths, refusing relative paths, bad names and duplicates', () => {
    expect([
      ...parseCommandPrograms('ledger-export=/opt/jobs/export, report=/usr/bin/true'),
    ]).toEqual([
      ['ledger-export', '/opt/jobs/export'],
      ['report', '/usr/bin/true'],
    ]);
    expect(() => parseCommandPrograms('x=bin/x')).toThrow(/must be name=\/absolute\/path/);
    expect(() => parseCommandPrograms('a=/x,a=/y')).toThrow(/mapped twice/);
    expect(() => loadExecutorsConfig({ SCHEDULING_COMMAND_PROGRAMS: 'Bad=/x' })).toThrow(
      /SCHEDULING_COMMAND_PROGRAMS: entry "Bad=\/x" must be name=\/absolute\/path/,
    );
  });

  it('resolves the restricted user by name or uid:gid, refusing an unknown one', () => {
    expect(resolveRunAs('nobody', PASSWD)).toEqual({ user: 'nobody', uid: 65534, gid: 65534 });
    expect(resolveRunAs('1000:1000', PASSWD)).toEqual({ user: '1000:1000', uid: 1000, gid: 1000 });
    expect(() => resolveRunAs('ghost', PASSWD)).toThrow(ConfigurationError);
    expect(() => resolveRunAs('ghost', PASSWD)).toThrow(/SCHEDULING_COMMAND_USER/);
  });

  it('names the variable of a malformed value', () => {
    expect(() => loadExecutorsConfig({ SCHEDULING_HTTP_ALLOWLIST: 'ftp://x' })).toThrow(
      /SCHEDULING_HTTP_ALLOWLIST/,
    );
    expect(() => loadExecutorsConfig({ SCHEDULING_HTTP_MAX_RESPONSE_BYTES: '-1' })).toThrow(
      /SCHEDULING_HTTP_MAX_RESPONSE_BYTES/,
    );
    expect(() => loadExecutorsConfig({ SCHEDULING_COMMAND_PRLIMIT: '/no/such/prlimit' })).toThrow(
      /SCHEDULING_COMMAND_PRLIMIT/,
    );
    expect(
      loadExecutorsConfig({ SCHEDULING_COMMAND_PRLIMIT: 'off' }).command.prlimitPath,
    ).toBeUndefined();
  });
});
