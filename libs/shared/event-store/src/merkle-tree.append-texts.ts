import { hash } from 'node:crypto';
import { HASH_SIZE, popcount } from './merkle-tree';

/**
 * appendLeaves for leaves given by their data as text (leaf i = leafHash(texts[i])), with the new
 * nodes as one node-stream Buffer: the sealer's batch. The same hashes, but each is kept as a
 * 32-character latin1 string ('binary') while the batch is built. A hash returned as a Buffer cost about
 * twice the hashing itself (a separately allocated backing store, each collected later), and the
 * batch makes two of them per event.
 */
export function appendLeafTexts(
  size: number,
  frontier: readonly Buffer[],
  texts: readonly string[],
): { readonly nodes: Buffer; readonly frontier: Buffer[] } {
  if (frontier.length !== popcount(size) || frontier.some((node) => node.length !== HASH_SIZE))
    throw new RangeError(`not the frontier of a tree of ${size} leaves`);
  const stack = frontier.map((node) => node.toString('latin1'));
  const nodes: string[] = [];
  let count = size;
  for (const text of texts) {
    const leaf = hash('sha256', `\u0000${text}`, 'binary');
    stack.push(leaf);
    nodes.push(leaf);
    count++;
    for (let c = count; c % 2 === 0; c /= 2) {
      const right = stack.pop()!;
      const parent = nodeHashLatin1(stack.pop()!, right);
      stack.push(parent);
      nodes.push(parent);
    }
  }
  return {
    nodes: Buffer.from(nodes.join(''), 'latin1'),
    frontier: stack.map((node) => Buffer.from(node, 'latin1')),
  };
}

/** Input of a node hash, 0x01 ‖ left ‖ right, reused: hash() copies it before returning. */
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, 1);

function nodeHashLatin1(left: string, right: string): string {
  NODE_INPUT.write(left, 1, HASH_SIZE, 'latin1');
  NODE_INPUT.write(right, 1 + HASH_SIZE, HASH_SIZE, 'latin1');
  return hash('sha256', NODE_INPUT, 'binary');
}
