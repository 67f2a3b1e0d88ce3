import { parseSignedCheckpoint, verifySignedCheckpoint } from '@trainyard/event-store';
import type { SignedTreeCheckpoint } from '@trainyard/event-store';
import { rootOfPrefix } from './merkle-proofs';
import { fail, messageOf } from './verify-bundle.failure';
import { checkpointBodyOf, type ProvenService } from './verify-bundle.service-log';

/** Each checkpoint the auditor kept is of a log in the bundle, and that log extends it. */
export function verifyTrustedCheckpoints(
  notes: readonly string[],
  proven: readonly ProvenService[],
  complete: boolean,
): void {
  for (const note of notes) {
    let kept: SignedTreeCheckpoint;
    try {
      kept = parseSignedCheckpoint(note);
    } catch (error) {
      return fail(
        'consistency',
        `a checkpoint you hold is not a signed note: ${messageOf(error)}.`,
      );
    }
    const service = proven.find((p) => p.checkpoint.origin === kept.origin);
    if (!service)
      return fail(
        'consistency',
        `the checkpoint you hold for ${kept.origin} is of no log in this bundle.`,
      );
    const at = `${service.service} (${kept.origin})`;
    try {
      verifySignedCheckpoint(note, service.key);
    } catch (error) {
      fail(
        'consistency',
        `${at}: the checkpoint you hold does not verify with the service's key in the bundle: ${messageOf(error)}.`,
      );
    }
    const body = checkpointBodyOf(note);
    if (service.extends.has(body)) continue;
    if (kept.treeSize > service.checkpoint.treeSize)
      fail(
        'consistency',
        `${at}: the bundle's log holds ${service.checkpoint.treeSize} events, the checkpoint you hold ${kept.treeSize}: events were removed, or the bundle is older than your checkpoint.`,
      );
    if (complete && kept.treeSize <= service.checkpoint.treeSize) {
      const prefix = rootOfPrefix((i) => service.leaves.get(i), kept.treeSize);
      if ('root' in prefix && prefix.root.equals(kept.rootHash)) continue;
      fail(
        'consistency',
        `${at}: the bundle's first ${kept.treeSize} events do not hash to the root of the checkpoint you hold: the log was rewritten.`,
      );
    }
    fail(
      'consistency',
      `${at}: the bundle carries no consistency proof from the checkpoint of size ${kept.treeSize} you hold; ask for one exported with --consistency-from that checkpoint.`,
    );
  }
}
