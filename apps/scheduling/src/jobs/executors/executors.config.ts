import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import {
  ConfigurationError,
  parsedSetting,
  unsetWhenEmpty,
  wholeNumberSetting,
} from '@trainyard/platform';
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

/** A setting the running host refuses (no such user or program): stops the start, exit 78. */
export class ExecutorsConfigError extends ConfigurationError {
  constructor(variable: string, message: string) {
    super(`invalid configuration: ${variable}: ${message}`);
  }
}

const PROGRAM_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** `name=/abs/path,name2=/abs/path2` */
export const parseCommandPrograms = (text: string | undefined): Map<string, string> => {
  const programs = new Map<string, string>();
  for (const entry of (text ?? '').split(/[\s,]+/).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq);
    const path = eq < 0 ? '' : entry.slice(eq + 1);
    if (!PROGRAM_NAME.test(name) || !isAbsolute(path))
      throw new Error(`entry ${JSON.stringify(entry)} must be name=/absolute/path`);
    if (programs.has(name)) throw new Error(`${name} is mapped twice`);
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

/** `SCHEDULING_COMMAND_PRLIMIT`: off, an absolute path, or unset (found on the PATH's usual places). */
const prlimitSetting = z
  .string()
  .optional()
  .refine(
    (value) => value === undefined || value === '' || value === 'off' || isAbsolute(value),
    'expected off or the absolute path of prlimit',
  )
  .refine(
    (value) => value === undefined || !isAbsolute(value) || existsSync(value),
    'no such program',
  );

const USER_SPEC = /^(?:[a-z_][a-z0-9_-]{0,31}|\d+:\d+)$/;

/** The executors' variables, part of the scheduling service's settings (scheduling-settings.ts). */
export const EXECUTORS_SETTINGS = {
  SCHEDULING_HTTP_ALLOWLIST: parsedSetting(parseUrlAllowlist),
  SCHEDULING_HTTP_MAX_RESPONSE_BYTES: wholeNumberSetting('bytes', 1, 2 ** 30, 1024 * 1024),
  SCHEDULING_HTTP_MAX_REDIRECTS: wholeNumberSetting('redirects', 1, 20, 5),
  SCHEDULING_COMMAND_PROGRAMS: parsedSetting(parseCommandPrograms),
  SCHEDULING_COMMAND_USER: unsetWhenEmpty(
    z.string().regex(USER_SPEC, 'expected a user name or uid:gid').default('nobody'),
  ),
  SCHEDULING_COMMAND_MEMORY_BYTES: wholeNumberSetting('bytes', 1, 2 ** 40, 512 * 1024 * 1024),
  SCHEDULING_COMMAND_PRLIMIT: prlimitSetting,
  SCHEDULING_COMMAND_MAX_OUTPUT_BYTES: wholeNumberSetting('bytes', 1, 2 ** 30, 64 * 1024),
  SCHEDULING_COMMAND_CWD: unsetWhenEmpty(
    z
      .string()
      .refine((value) => isAbsolute(value), 'expected an absolute path')
      .default('/'),
  ),
  SCHEDULING_KAFKA_TOPIC_ALLOWLIST: z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(/[\s,]+/).filter((t) => t !== '')),
};

export type ExecutorsSettings = z.infer<z.ZodObject<typeof EXECUTORS_SETTINGS>>;

const findPrlimit = (configured: string | undefined): string | undefined => {
  if (configured === 'off') return undefined;
  if (configured !== undefined && configured !== '') return configured;
  return ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
};

/** The executors' configuration from the validated settings; the restricted user resolved when root. */
export const executorsConfigOf = (settings: ExecutorsSettings): ExecutorsConfig => {
  const prlimitPath = findPrlimit(settings.SCHEDULING_COMMAND_PRLIMIT);
  const topicPrefixes = settings.SCHEDULING_KAFKA_TOPIC_ALLOWLIST;
  return {
    http: {
      allowlist: settings.SCHEDULING_HTTP_ALLOWLIST,
      maxResponseBytes: settings.SCHEDULING_HTTP_MAX_RESPONSE_BYTES,
      maxRedirects: settings.SCHEDULING_HTTP_MAX_REDIRECTS,
    },
    command: {
      programs: settings.SCHEDULING_COMMAND_PROGRAMS,
      ...(process.getuid?.() === 0
        ? {
            runAs: resolveRunAs(
              settings.SCHEDULING_COMMAND_USER,
              readFileSync('/etc/passwd', 'utf8'),
            ),
          }
        : {}),
      memoryBytes: settings.SCHEDULING_COMMAND_MEMORY_BYTES,
      ...(prlimitPath === undefined ? {} : { prlimitPath }),
      maxOutputBytes: settings.SCHEDULING_COMMAND_MAX_OUTPUT_BYTES,
      cwd: settings.SCHEDULING_COMMAND_CWD,
    },
    kafka: topicPrefixes.length === 0 ? {} : { topicPrefixes },
  };
};
