import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseUrlAllowlist, type UrlAllowlist } from '@trainyard/scheduling-domain';

/**
 * The operator's configuration of the task executors (issue 12, item 2): what a job may reach and
 * run. Least privilege by default: no HTTP target and no program is allowed until configured.
 */
export interface ExecutorsConfig {
  readonly http: {
    readonly allowlist: UrlAllowlist;
    readonly maxResponseBytes: number;
    readonly maxRedirects: number;
  };
  readonly command: {
    /** Program name (as manifests say it) → absolute path. */
    readonly programs: ReadonlyMap<string, string>;
    /** Who commands run as when the service runs as root; undefined when it does not. */
    readonly runAs?: { readonly user: string; readonly uid: number; readonly gid: number };
    /** Address-space limit of the program (prlimit --as), bytes; undefined when prlimit is absent. */
    readonly memoryBytes: number;
    readonly prlimitPath?: string;
    /** Captured per stream (stdout, stderr); the rest is dropped and counted. */
    readonly maxOutputBytes: number;
    readonly cwd: string;
  };
  readonly kafka: {
    /** Topic prefixes a job may produce to; undefined: any topic outside `trainyard.`. */
    readonly topicPrefixes?: readonly string[];
  };
}

export const EXECUTORS_CONFIG = Symbol('trainyard.scheduling.executors-config');

export class ExecutorsConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`invalid configuration: ${variable}: ${message}`);
    this.name = 'ExecutorsConfigError';
  }
}

const positive = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,15}$/.test(text) || Number(text) <= 0)
    throw new ExecutorsConfigError(
      name,
      `must be a positive whole number; got ${JSON.stringify(text)}`,
    );
  return Number(text);
};

const PROGRAM_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** `name=/abs/path,name2=/abs/path2` */
export const parseCommandPrograms = (text: string | undefined): Map<string, string> => {
  const programs = new Map<string, string>();
  for (const entry of (text ?? '').split(/[\s,]+/).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq);
    const path = eq < 0 ? '' : entry.slice(eq + 1);
    if (!PROGRAM_NAME.test(name) || !isAbsolute(path))
      throw new ExecutorsConfigError(
        'SCHEDULING_COMMAND_PROGRAMS',
        `entry ${JSON.stringify(entry)} must be name=/absolute/path`,
      );
    if (programs.has(name))
      throw new ExecutorsConfigError('SCHEDULING_COMMAND_PROGRAMS', `${name} is mapped twice`);
    programs.set(name, path);
  }
  return programs;
};

/** `nobody`, or `uid:gid`: the account commands run as (from /etc/passwd for a name). */
export const resolveRunAs = (
  spec: string,
  passwd: string,
): { user: string; uid: number; gid: number } => {
  const numeric = /^(\d+):(\d+)$/.exec(spec);
  if (numeric) return { user: spec, uid: Number(numeric[1]), gid: Number(numeric[2]) };
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (
      name === spec &&
      uid !== undefined &&
      gid !== undefined &&
      /^\d+$/.test(uid) &&
      /^\d+$/.test(gid)
    )
      return { user: spec, uid: Number(uid), gid: Number(gid) };
  }
  throw new ExecutorsConfigError(
    'SCHEDULING_COMMAND_USER',
    `no user ${JSON.stringify(spec)} in /etc/passwd`,
  );
};

const findPrlimit = (env: NodeJS.ProcessEnv): string | undefined => {
  const configured = env['SCHEDULING_COMMAND_PRLIMIT'];
  if (configured === 'off') return undefined;
  if (configured !== undefined && configured !== '') {
    if (!isAbsolute(configured) || !existsSync(configured))
      throw new ExecutorsConfigError('SCHEDULING_COMMAND_PRLIMIT', `no such program ${configured}`);
    return configured;
  }
  return ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
};

export const loadExecutorsConfig = (env: NodeJS.ProcessEnv = process.env): ExecutorsConfig => {
  let allowlist: UrlAllowlist;
  try {
    allowlist = parseUrlAllowlist(env['SCHEDULING_HTTP_ALLOWLIST']);
  } catch (error) {
    throw new ExecutorsConfigError('SCHEDULING_HTTP_ALLOWLIST', (error as Error).message);
  }
  const runAsRoot = process.getuid?.() === 0;
  const cwd = env['SCHEDULING_COMMAND_CWD'] || '/';
  if (!isAbsolute(cwd))
    throw new ExecutorsConfigError('SCHEDULING_COMMAND_CWD', 'must be an absolute path');
  const prlimitPath = findPrlimit(env);
  const topicPrefixes = env['SCHEDULING_KAFKA_TOPIC_ALLOWLIST'];
  return {
    http: {
      allowlist,
      maxResponseBytes: positive(env, 'SCHEDULING_HTTP_MAX_RESPONSE_BYTES', 1024 * 1024),
      maxRedirects: positive(env, 'SCHEDULING_HTTP_MAX_REDIRECTS', 5),
    },
    command: {
      programs: parseCommandPrograms(env['SCHEDULING_COMMAND_PROGRAMS']),
      ...(runAsRoot
        ? {
            runAs: resolveRunAs(
              env['SCHEDULING_COMMAND_USER'] || 'nobody',
              readFileSync('/etc/passwd', 'utf8'),
            ),
          }
        : {}),
      memoryBytes: positive(env, 'SCHEDULING_COMMAND_MEMORY_BYTES', 512 * 1024 * 1024),
      ...(prlimitPath === undefined ? {} : { prlimitPath }),
      maxOutputBytes: positive(env, 'SCHEDULING_COMMAND_MAX_OUTPUT_BYTES', 64 * 1024),
      cwd,
    },
    kafka:
      topicPrefixes === undefined || topicPrefixes === ''
        ? {}
        : { topicPrefixes: topicPrefixes.split(/[\s,]+/).filter((t) => t !== '') },
  };
};
