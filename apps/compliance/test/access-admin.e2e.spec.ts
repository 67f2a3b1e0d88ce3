import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { signDevToken } from '@trainyard/infra';
import {
  callUnary,
  createTestContext,
  refusal,
  startTestService,
  trailer,
  waitFor,
  type GrpcTestClient,
  type TestContext,
  type TestService,
} from '@trainyard/testing';
import { Controller, Get, Module } from '@nestjs/common';
import { RequirePermission, type ServiceDefinition } from '@trainyard/platform';
import { ComplianceE2e, type GrcEvent } from './test-support/compliance-e2e.fixture';

// Access administration end to end: a security admin changes a role and compliance's own guard
// (which reads the model like every service's) follows it from the broker; a privileged grant is
// only proposed, its author's approval refused (four-eyes), another admin's applies it; every
// applied change is a CloudEvent on the compliance topic; hostile input refused naming the field.

const KEY_DIR = join(tmpdir(), 'trainyard-test-keys');

/** Another service (planning's name, its own schema) whose one route needs compliance:read. */
@Controller('api/probe')
class ProbeController {
  @Get()
  @RequirePermission('compliance:read')
  read() {
    return { ok: true };
  }
}
@Module({ controllers: [ProbeController] })
class ProbeModule {}
const probeService: ServiceDefinition = { service: 'planning', module: ProbeModule };
const token = (subject: string, ...roles: string[]) =>
  signDevToken({ roles, subject, keyDir: KEY_DIR });

interface ChangeResponse {
  outcome: string;
  pending?: { changeId: string; kind: string; proposedBy: string };
  modelVersion: string;
}

describe('compliance: access administration, distributed to the guards', () => {
  let e2e: ComplianceE2e;
  let ctx: TestContext;
  let probeCtx: TestContext;
  let probe: TestService;
  let service: TestService;
  let client: GrpcTestClient;
  let seen: GrcEvent[];
  const correlation = `access-e2e-${randomUUID()}`;
  let sam: string;
  let pat: string;
  let viewer: string;
  let auditor: string;

  const rest = async (path: string, bearer: string, init: RequestInit = {}) => {
    const response = await fetch(`${service.httpUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    e2e = await ComplianceE2e.create('caccess_admin');
    ctx = e2e.ctx;
    // The compliance topic is shared by every run: read only what arrives from now on, by correlation id.
    seen = await e2e.grcFeed((event) => event.correlationId === correlation);
    service = await e2e.start({ env: { ACCESS_MODEL_TOPIC: ctx.topic('access-model') } });
    probeCtx = await createTestContext('caccess_probe');
    probe = await startTestService(probeService, probeCtx, {
      ACCESS_MODEL_TOPIC: ctx.topic('access-model'),
    });
    client = service.client('trainyard.compliance.v1.AccessAdminService');
    [sam, pat, viewer, auditor] = await Promise.all([
      token('sam', 'security-admin'),
      token('pat', 'security-admin'),
      token('vic', 'viewer'),
      token('aud', 'auditor'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await probe?.stop();
    await probeCtx?.dispose();
    await e2e?.stop();
  });

  const probed = async (bearer: string) =>
    (await fetch(`${probe.httpUrl}/api/probe`, { headers: { authorization: `Bearer ${bearer}` } }))
      .status;

  it('authorises every method: auditors read, only security admins change', async () => {
    const roles = await callUnary<{
      roles: { name: string; source: string; privileged: boolean }[];
    }>(client, 'ListRoles', {}, auditor);
    expect(roles.roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'viewer', source: 'built-in', privileged: false }),
        expect.objectContaining({ name: 'admin', source: 'built-in', privileged: true }),
      ]),
    );
    const denied = await refusal(
      callUnary(
        client,
        'PutRole',
        { role: { name: 'x', privileged: false, permissions: [] } },
        auditor,
      ),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect((await refusal(callUnary(client, 'ListRoles', {}, viewer))).code).toBe(
      status.PERMISSION_DENIED,
    );
    expect((await rest('/api/compliance/roles', viewer)).status).toBe(403);
  });

  it("a role change reaches the services' guards through the broker", async () => {
    expect((await rest('/api/compliance/reviews', viewer)).status).toBe(200);
    expect(await probed(viewer)).toBe(200);
    const put = await callUnary<ChangeResponse>(
      client,
      'PutRole',
      {
        role: {
          name: 'viewer',
          description: 'reads nothing in compliance',
          privileged: false,
          permissions: ['planning:read'],
        },
        reason: 'least privilege',
      },
      sam,
      correlation,
    );
    expect(put).toMatchObject({ outcome: 'applied', modelVersion: '1' });
    await waitFor(async () => (await rest('/api/compliance/reviews', viewer)).status === 403, {
      timeoutMs: 60_000,
      description: 'the guard to refuse compliance:read to viewer',
    });
    await waitFor(async () => (await probed(viewer)) === 403, {
      timeoutMs: 60_000,
      description: "the other service's guard to refuse compliance:read to viewer",
    });
    const model = await rest('/api/compliance/roles/model', auditor);
    expect(model.body).toMatchObject({
      version: 1,
      roles: [{ name: 'viewer', permissions: ['planning:read'] }],
      topic: ctx.topic('access-model'),
    });
  });

  it('four-eyes on a privileged grant: proposed, the author refused, a second admin applies it', async () => {
    const dana = await token('dana', 'viewer');
    expect((await rest('/api/compliance/reviews', dana)).status).toBe(403);
    const proposed = await callUnary<ChangeResponse>(
      client,
      'GrantRole',
      { subject: 'dana', role: 'compliance-officer' },
      sam,
      correlation,
    );
    expect(proposed).toMatchObject({
      outcome: 'proposed',
      pending: { kind: 'GrantRole', proposedBy: 'sam' },
      modelVersion: '1',
    });
    const changeId = proposed.pending!.changeId;
    const pending = await callUnary<{ changes: { changeId: string }[] }>(
      client,
      'ListPendingChanges',
      {},
      auditor,
    );
    expect(pending.changes.map((c) => c.changeId)).toEqual([changeId]);

    const own = await refusal(callUnary(client, 'ApproveChange', { changeId }, sam, correlation));
    expect(own.code).toBe(status.FAILED_PRECONDITION);
    expect(trailer(own, 'trainyard-rule')).toBe('access-four-eyes');
    expect((await rest('/api/compliance/reviews', dana)).status).toBe(403);

    const approved = await rest(`/api/compliance/roles/changes/${changeId}/approve`, pat, {
      method: 'POST',
      headers: { 'x-correlation-id': correlation },
    });
    expect(approved).toMatchObject({ status: 200, body: { outcome: 'applied', modelVersion: 2 } });
    await waitFor(async () => (await rest('/api/compliance/reviews', dana)).status === 200, {
      timeoutMs: 60_000,
      description: 'the guard to grant dana compliance-officer',
    });
    await waitFor(async () => (await probed(dana)) === 200, {
      timeoutMs: 60_000,
      description: "the other service's guard to grant dana compliance-officer",
    });
    expect(
      (await callUnary<{ changes: unknown[] }>(client, 'ListPendingChanges', {}, auditor)).changes,
    ).toEqual([]);
  });

  it('every change is a CloudEvent on the compliance topic', async () => {
    await waitFor(() => seen.length >= 4, {
      timeoutMs: 60_000,
      description: 'the access events on the compliance topic',
    });
    expect(seen.map((e) => e.type)).toEqual([
      'dev.trainyard.compliance.AccessRolePut.v1',
      'dev.trainyard.compliance.AccessChangeProposed.v1',
      'dev.trainyard.compliance.AccessChangeApproved.v1',
      'dev.trainyard.compliance.AccessRoleGranted.v1',
    ]);
    expect(seen[3]?.data).toMatchObject({
      subject: 'dana',
      role: 'compliance-officer',
      grantedBy: 'sam',
      approvedBy: 'pat',
      modelVersion: 2,
    });
  });

  it('hostile input: INVALID_ARGUMENT / 400 naming the field, nothing applied', async () => {
    const badName = fc.string({ maxLength: 80 }).filter((s) => !/^[a-z][a-z0-9-]{0,63}$/.test(s));
    const badPermission = fc
      .string({ maxLength: 40 })
      .filter((s) => !/^[a-z][a-z0-9-]{0,31}(:[a-z][a-z0-9-]{0,31}){1,3}$/.test(s));
    await fc.assert(
      fc.asyncProperty(badName, async (name) => {
        const error = await refusal(
          callUnary(client, 'PutRole', { role: { name, privileged: false, permissions: [] } }, sam),
        );
        expect([error.code, trailer(error, 'trainyard-field')]).toEqual([
          status.INVALID_ARGUMENT,
          'role.name',
        ]);
      }),
      { numRuns: 15 },
    );
    await fc.assert(
      fc.asyncProperty(badPermission, async (permission) => {
        const error = await refusal(
          callUnary(
            client,
            'PutRole',
            {
              role: {
                name: 'probe-role',
                privileged: false,
                permissions: ['planning:read', permission],
              },
            },
            sam,
          ),
        );
        expect([error.code, trailer(error, 'trainyard-field')]).toEqual([
          status.INVALID_ARGUMENT,
          'role.permissions[1]',
        ]);
      }),
      { numRuns: 15 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.string(), { maxLength: 3 }).map((body) => ({ body, field: 'body' })),
          fc
            .record({ privileged: fc.string() })
            .map((body) => ({ body, field: 'role.privileged' })),
          fc
            .record({
              privileged: fc.boolean(),
              permissions: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
            })
            .map((body) => ({ body, field: 'role.permissions' })),
        ),
        async ({ body, field }) => {
          const response = await rest('/api/compliance/roles/probe-role', sam, {
            method: 'PUT',
            body: JSON.stringify(body),
          });
          expect([response.status, response.body.field]).toEqual([400, field]);
        },
      ),
      { numRuns: 15 },
    );
    const noRole = await refusal(callUnary(client, 'PutRole', {}, sam));
    expect([noRole.code, trailer(noRole, 'trainyard-field')]).toEqual([
      status.INVALID_ARGUMENT,
      'role',
    ]);
    const badSubject = await refusal(
      callUnary(client, 'GrantRole', { subject: '', role: 'viewer' }, sam),
    );
    expect(trailer(badSubject, 'trainyard-field')).toBe('subject');
    const badChange = await refusal(callUnary(client, 'ApproveChange', { changeId: 'x y' }, pat));
    expect(trailer(badChange, 'trainyard-field')).toBe('change_id');
    const unknown = await refusal(
      callUnary(client, 'ApproveChange', { changeId: randomUUID() }, pat),
    );
    expect(unknown.code).toBe(status.NOT_FOUND);
    const model = await callUnary<{ version: string }>(client, 'GetModel', {}, auditor);
    expect(model.version).toBe('2');
  });

  it('with compliance stopped, the other service keeps the last model, also after its own restart', async () => {
    const dana = await token('dana', 'viewer');
    await service.stop();
    expect([await probed(viewer), await probed(dana)]).toEqual([403, 200]);
    await probe.stop();
    // Restarted with no broker at all: only its own kept copy can say dana holds compliance-officer.
    probe = await startTestService(probeService, probeCtx, {
      ACCESS_MODEL_TOPIC: ctx.topic('access-model'),
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    expect([await probed(viewer), await probed(dana)]).toEqual([403, 200]);
  });
});
