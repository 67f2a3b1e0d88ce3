import {
  DEFAULT_RETENTION_POLICY,
  parseRetentionPolicy,
  type RetentionPolicy,
} from '@trainyard/compliance-domain';
import { localDir } from '@trainyard/infra';
import { ValidationError } from '@trainyard/kernel';

export interface RetentionSettings {
  readonly policy: RetentionPolicy;
  /** 0: no timer (a sweep still runs on request). */
  readonly sweepIntervalMs: number;
  readonly archiveDir: string;
  readonly maxPerType: number;
}

const wholeNumber = (name: string, raw: string | undefined, fallback: number, min: number) => {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new ValidationError(
      name,
      `${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`,
    );
  return value;
};

/**
 * `COMPLIANCE_RETENTION_POLICY` (JSON by record type, else the default),
 * `COMPLIANCE_RETENTION_SWEEP_MS` (default 1 h; 0 = off), `COMPLIANCE_RECORD_ARCHIVE_DIR`
 * (default `.local/audit/<schema>/record-archive`), `COMPLIANCE_RETENTION_MAX_PER_PASS` (5000).
 * A bad value stops the service (or the CLI) naming the variable.
 */
export function retentionSettingsFromEnv(
  schema: string,
  env: NodeJS.ProcessEnv = process.env,
): RetentionSettings {
  let policy = DEFAULT_RETENTION_POLICY;
  if (env['COMPLIANCE_RETENTION_POLICY']) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env['COMPLIANCE_RETENTION_POLICY']);
    } catch {
      throw new ValidationError(
        'COMPLIANCE_RETENTION_POLICY',
        'COMPLIANCE_RETENTION_POLICY is not JSON',
      );
    }
    policy = parseRetentionPolicy(parsed);
  }
  return {
    policy,
    sweepIntervalMs: wholeNumber(
      'COMPLIANCE_RETENTION_SWEEP_MS',
      env['COMPLIANCE_RETENTION_SWEEP_MS'],
      3_600_000,
      0,
    ),
    archiveDir: env['COMPLIANCE_RECORD_ARCHIVE_DIR'] || localDir('audit', schema, 'record-archive'),
    maxPerType: wholeNumber(
      'COMPLIANCE_RETENTION_MAX_PER_PASS',
      env['COMPLIANCE_RETENTION_MAX_PER_PASS'],
      5000,
      1,
    ),
  };
}
