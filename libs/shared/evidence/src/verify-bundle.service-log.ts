import { canonicalize } from 'json-canonicalize';
import {
  leafHash,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  verifySignedCheckpoint,
} from '@trainyard/event-store';
import type { SignedTreeCheckpoint } from '@trainyard/event-store';
import { parseCanonical } from './assemble-bundle';
import type { BundleFiles, ConsistencyFile, ServiceEventsFile } from './bundle.types';
import { serviceFile } from './bundle.types';
import type { ParsedEvent } from './population';
import { fail, messageOf, parseJson, requireFile } from './verify-bundle.failure';

export interface ProvenService {
  readonly service: string;
  readonly checkpoint: SignedTreeCheckpoint;
  readonly events: ParsedEvent[];
  readonly leaves: Map<number, Buffer>;
  readonly key: ReturnType<typeof parseVerifierKey>;
  /** Checkpoint bodies (origin, size, root) the bundle proves its log extends. */
  readonly extends: ReadonlySet<string>;
}

export function verifyService(
  files: BundleFiles,
  service: string,
  trusted: readonly ReturnType<typeof parseVerifierKey>[],
): ProvenService {
  const keyPath = serviceFile(service, 'verifier-key.txt');
  const notePath = serviceFile(service, 'checkpoint.note');
  const eventsPath = serviceFile(service, 'events.json');
  const keyText = requireFile(files, keyPath).toString('utf8').trim();
  let key: ReturnType<typeof parseVerifierKey>;
  try {
    key = parseVerifierKey(keyText);
  } catch (error) {
    return fail(
      'checkpoint',
      `${keyPath} is not a note verifier key: ${messageOf(error)}`,
      keyPath,
    );
  }
  const pinned = trusted.find((t) => t.keyName === key.keyName);
  if (pinned && !pinned.publicKey.equals(key.publicKey))
    fail('checkpoint', `${keyPath} is not the trusted key of ${key.keyName}.`, keyPath);
  let checkpoint: SignedTreeCheckpoint;
  try {
    checkpoint = verifySignedCheckpoint(requireFile(files, notePath).toString('utf8'), key);
  } catch (error) {
    return fail('checkpoint', `${notePath} does not verify: ${messageOf(error)}.`, notePath);
  }
  const file = parseJson<ServiceEventsFile>(requireFile(files, eventsPath), eventsPath, 'event');
  if (file.origin !== checkpoint.origin || file.treeSize !== checkpoint.treeSize)
    fail(
      'checkpoint',
      `${eventsPath} is proven against ${file.origin} size ${file.treeSize}, but ${notePath} is ${checkpoint.origin} size ${checkpoint.treeSize} (checkpoint swapped?).`,
      notePath,
    );
  const events: ParsedEvent[] = [];
  const leaves = new Map<number, Buffer>();
  for (const [streamId, records] of Object.entries(file.streams)) {
    for (const record of records) {
      const at = `${service} leaf ${record.leafIndex}`;
      if (
        !Number.isSafeInteger(record.leafIndex) ||
        record.leafIndex < 0 ||
        leaves.has(record.leafIndex)
      )
        fail('event', `${at} in ${eventsPath} is not a leaf index or appears twice.`, eventsPath);
      let parsed: ReturnType<typeof parseCanonical>;
      try {
        parsed = parseCanonical(record.canonical);
      } catch {
        return fail('event', `${at}: its canonical form is not JSON.`, eventsPath);
      }
      if (canonicalize(parsed) !== record.canonical)
        fail('event', `${at}: its event is not in canonical (RFC 8785) form.`, eventsPath);
      if (parsed.streamId !== streamId)
        fail(
          'event',
          `${at} is listed under stream ${streamId} but belongs to ${parsed.streamId}.`,
          eventsPath,
        );
      const leaf = leafHash(Buffer.from(record.canonical, 'utf8'));
      if (leaf.toString('hex') !== record.leafHash)
        fail(
          'event',
          `${at} (${parsed.type} in ${streamId}): the event does not hash to its leaf hash (the event was changed).`,
          eventsPath,
        );
      const path = record.auditPath.map((h) => Buffer.from(h, 'hex'));
      if (!verifyInclusion(leaf, record.leafIndex, checkpoint.treeSize, path, checkpoint.rootHash))
        fail(
          'inclusion-proof',
          `${at} (${parsed.type} in ${streamId}): its inclusion proof does not match the signed checkpoint of size ${checkpoint.treeSize}.`,
          eventsPath,
        );
      leaves.set(record.leafIndex, leaf);
      events.push({ service, leafIndex: record.leafIndex, event: parsed });
    }
  }
  const extendsBodies = new Set<string>([checkpointBodyOf(checkpoint.note)]);
  const consistencyPath = serviceFile(service, 'consistency.json');
  const consistencyBytes = files.get(consistencyPath);
  if (consistencyBytes) {
    const consistency = parseJson<ConsistencyFile>(
      consistencyBytes,
      consistencyPath,
      'consistency',
    );
    if (consistency.toSize !== checkpoint.treeSize)
      fail(
        'consistency',
        `${consistencyPath} proves size ${consistency.toSize}, the checkpoint is ${checkpoint.treeSize}.`,
        consistencyPath,
      );
    for (const entry of consistency.proofs) {
      let earlier: SignedTreeCheckpoint;
      try {
        earlier = verifySignedCheckpoint(entry.fromNote, key);
      } catch (error) {
        return fail(
          'consistency',
          `${consistencyPath}: an earlier checkpoint does not verify: ${messageOf(error)}.`,
          consistencyPath,
        );
      }
      const proof = entry.proof.map((h) => Buffer.from(h, 'hex'));
      if (
        earlier.origin !== checkpoint.origin ||
        earlier.treeSize !== entry.fromSize ||
        !verifyConsistency(
          earlier.treeSize,
          checkpoint.treeSize,
          earlier.rootHash,
          checkpoint.rootHash,
          proof,
        )
      )
        fail(
          'consistency',
          `${consistencyPath}: the log of size ${checkpoint.treeSize} is not proven to extend the earlier checkpoint of size ${earlier.treeSize} (the log was rewritten, or the proof changed).`,
          consistencyPath,
        );
      extendsBodies.add(checkpointBodyOf(entry.fromNote));
    }
  }
  return { service, checkpoint, events, leaves, key, extends: extendsBodies };
}

/** The signed part of a note: origin, size and root. */
export function checkpointBodyOf(note: string): string {
  return note.slice(0, note.indexOf('\n\n') + 1);
}
