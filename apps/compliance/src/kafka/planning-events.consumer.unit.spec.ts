import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CEL_VERSION } from '@trainyard/compliance-domain';
import type { ParsedCloudEvent } from '@trainyard/messaging';
import { evaluationRequestOf } from './planning-events.consumer';

const event = (type: string, data: unknown, schemaVersion = 1): ParsedCloudEvent => ({
  specversion: '1.0',
  id: 'e-1',
  source: '/trainyard/planning',
  type: `dev.trainyard.planning.${type}.v${schemaVersion}`,
  eventType: type,
  schemaVersion,
  data,
  key: 'workload-W-1',
  extensions: {},
});

describe('planning events → evaluation requests', () => {
  it('evaluates a registered workload with its payload as the facts', () => {
    expect(
      evaluationRequestOf(event('WorkloadRegistered', { workloadId: 'W-1', team: 'payments' })),
    ).toEqual({
      subject: { type: 'workload', id: 'W-1' },
      trigger: 'workload-registered',
      facts: { workloadId: 'W-1', team: 'payments' },
    });
  });

  it('evaluates a committed scope on the release', () => {
    expect(evaluationRequestOf(event('ReleaseScopeCommitted', { releaseId: 'R-1' }))).toMatchObject(
      {
        subject: { type: 'release', id: 'R-1' },
        trigger: 'scope-committed',
      },
    );
  });

  it('ignores other events, versions it does not know and other services', () => {
    expect(evaluationRequestOf(event('WorkloadPlanned', { workloadId: 'W-1' }))).toBeUndefined();
    expect(
      evaluationRequestOf(event('WorkloadRegistered', { workloadId: 'W-1' }, 2)),
    ).toBeUndefined();
    expect(
      evaluationRequestOf({
        ...event('WorkloadRegistered', {}),
        type: 'dev.trainyard.deployment.WorkloadRegistered.v1',
      }),
    ).toBeUndefined();
  });
});

describe('evaluator version', () => {
  // Recorded with every evaluation: it must name the @bufbuild/cel actually installed.
  it('names the installed @bufbuild/cel', () => {
    const pkg = JSON.parse(
      readFileSync(
        join(dirname(require.resolve('@bufbuild/cel')), '..', '..', 'package.json'),
        'utf8',
      ),
    ) as {
      version: string;
    };
    expect(CEL_VERSION).toBe(pkg.version);
  });
});
