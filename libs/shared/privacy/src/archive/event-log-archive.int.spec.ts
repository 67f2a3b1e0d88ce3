import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventSealer,
  createEventStore,
  migrateEventStore,
  verifyEventLog,
} from '@trainyard/event-store';
import { createTestContext, waitFor, type TestContext } from '@trainyard/testing';
import { exportArchiveSegment, readArchiveManifests, verifyArchive } from './event-log-archive';

// Archival of old ranges of the event log: segments of the sealed tree exported with their
// canonical leaf bytes, a SHA-256 and the root at the segment end; the retention cutoff and a legal
// hold end a segment; the archive verifies from its files alone and against the live tree; an
// edited, removed or reordered line is named; the live log still verifies.

const event = (type: string, data: Record<string, unknown>) => ({
  type,
  data,
  metadata: { eventId: randomUUID(), correlationId: randomUUID(), actor: 'user:test' },
});

describe('event-log archive segments', () => {
  let ctx: TestContext;
  let store: ReturnType<typeof createEventStore>;
  let sealer: EventSealer;
  let dir: string;
  let cutoff: string;

  beforeAll(async () => {
    ctx = await createTestContext('privacy_archive');
    await migrateEventStore(ctx.pool, ctx.schema);
    store = createEventStore(ctx.pool, ctx.schema, { crossProcessSignal: false });
    sealer = new EventSealer(ctx.pool, ctx.schema, { wakeOnAppend: false, intervalMs: 60_000 });
    dir = await mkdtemp(join(tmpdir(), 'trainyard-archive-'));
    for (let i = 0; i < 5; i++)
      await store.append(`workload-W${i}`, [event('WorkloadRegistered', { workloadId: `W${i}` })]);
    await store.append('workload-HELD', [event('WorkloadRegistered', { workloadId: 'HELD' })]);
    for (let i = 5; i < 8; i++)
      await store.append(`workload-W${i}`, [event('WorkloadRegistered', { workloadId: `W${i}` })]);
    // The cutoff is a JavaScript Date (milliseconds): taken in the same millisecond as the last
    // append, it would fall before that event's microseconds and leave it out.
    await ctx.pool.query('SELECT pg_sleep(0.01)');
    cutoff = (
      await ctx.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now')
    ).rows[0]!.now.toISOString();
    // Recorded after the cutoff: never archived in this run.
    await ctx.pool.query('SELECT pg_sleep(0.01)');
    for (let i = 8; i < 11; i++)
      await store.append(`workload-W${i}`, [event('WorkloadRegistered', { workloadId: `W${i}` })]);
    // Sealed up to all 12 events: another test's open transaction in this database may hold the
    // commit frontier back for a moment, and a single pass would then seal fewer.
    let sealed = 0;
    await waitFor(async () => (sealed += await sealer.sealPending()) >= 12, {
      description: '12 events sealed',
    });
  });

  afterAll(async () => {
    await sealer.stop();
    await store.close();
    await ctx.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops a segment in front of a held event, continues after the hold is lifted, never past the cutoff', async () => {
    const held = (e: { streamId: string }) => (e.streamId === 'workload-HELD' ? 'H-1' : undefined);
    const first = await exportArchiveSegment(ctx.pool, ctx.schema, {
      dir,
      before: cutoff,
      heldBy: held,
    });
    expect(first).toMatchObject({
      exported: true,
      stoppedBy: expect.stringContaining('legal hold H-1'),
    });
    expect(first.exported && [first.manifest.fromLeaf, first.manifest.toLeaf]).toEqual([0, 5]);
    const blocked = await exportArchiveSegment(ctx.pool, ctx.schema, {
      dir,
      before: cutoff,
      heldBy: held,
    });
    expect(blocked).toEqual({ exported: false, reason: expect.stringContaining('legal hold H-1') });

    const second = await exportArchiveSegment(ctx.pool, ctx.schema, { dir, before: cutoff });
    expect(second.exported && [second.manifest.fromLeaf, second.manifest.toLeaf]).toEqual([5, 9]);
    const nothing = await exportArchiveSegment(ctx.pool, ctx.schema, { dir, before: cutoff });
    expect(nothing.exported).toBe(false);
  });

  it('verifies from the files alone and against the live tree; the live log still verifies', async () => {
    const offline = await verifyArchive(dir, ctx.schema);
    expect(offline).toMatchObject({ ok: true, segments: 2, leaves: 9, liveChecked: false });
    const live = await verifyArchive(dir, ctx.schema, ctx.pool);
    expect(live).toMatchObject({ ok: true, liveChecked: true });
    expect((await verifyEventLog(ctx.pool, ctx.schema)).ok).toBe(true);
  });

  it('names a changed line, a removed line, a missing segment and a changed manifest root', async () => {
    const [first] = await readArchiveManifests(dir, ctx.schema);
    const path = join(dir, first!.file);
    const original = await readFile(path);
    const lines = original.toString('utf8').split('\n').filter(Boolean);

    const tamper = async (text: string) => {
      await rm(path, { force: true });
      await writeFile(path, text);
      return verifyArchive(dir, ctx.schema);
    };
    expect(await tamper(original.toString('utf8').replace('"W1"', '"W9"'))).toEqual({
      ok: false,
      reason: expect.stringContaining('does not match its SHA-256'),
    });
    // Removed line, manifest digest patched to match: the count and the root catch it.
    const manifestFile = (await readdir(dir)).find((n) => n.endsWith('.manifest.json'))!;
    const manifestText = await readFile(join(dir, manifestFile), 'utf8');
    const shortened = lines.slice(1).join('\n') + '\n';
    const { createHash } = await import('node:crypto');
    await writeFile(
      join(dir, manifestFile),
      manifestText.replace(first!.sha256, createHash('sha256').update(shortened).digest('hex')),
    );
    expect(await tamper(shortened)).toEqual({
      ok: false,
      reason: expect.stringContaining('holds 4 events'),
    });
    // Reordered lines with a matching digest: the root catches it.
    const reordered = [lines[1], lines[0], ...lines.slice(2)].join('\n') + '\n';
    await writeFile(
      join(dir, manifestFile),
      manifestText.replace(first!.sha256, createHash('sha256').update(reordered).digest('hex')),
    );
    expect(await tamper(reordered)).toEqual({
      ok: false,
      reason: expect.stringContaining("do not hash to the manifest's root"),
    });
    await writeFile(join(dir, manifestFile), manifestText);
    await tamper(original.toString('utf8'));
    expect((await verifyArchive(dir, ctx.schema)).ok).toBe(true);

    await rm(join(dir, manifestFile));
    expect(await verifyArchive(dir, ctx.schema)).toEqual({
      ok: false,
      reason: expect.stringContaining('does not start where the previous one ended'),
    });
    await writeFile(join(dir, manifestFile), manifestText);
    expect((await verifyArchive(dir, ctx.schema, ctx.pool)).ok).toBe(true);
  });
});
