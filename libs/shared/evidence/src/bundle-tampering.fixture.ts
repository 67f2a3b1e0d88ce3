// Edits an attacker (or an accident) could make to a bundle, and what the verifier must say about
// each; shared by the unit and the integration specs. Not exported from the library.
import { generateKeyPairSync } from 'node:crypto';
import { signBundle } from './assemble-bundle';
import { bundleSigningKey } from './bundle-signing';
import type { BundleCheck } from './verify-bundle';
import type { Manifest, PopulationFile, ServiceEventsFile } from './bundle.types';
import {
  MANIFEST_FILE,
  POPULATION_CSV,
  POPULATION_JSON,
  SIGNATURE_FILE,
  serviceFile,
} from './bundle.types';

type Files = Map<string, Buffer>;

export interface Tampering {
  readonly name: string;
  readonly edit: (files: Files) => Files;
  readonly check: BundleCheck;
  readonly file?: string;
  /** Words the failure message must contain. */
  readonly says: RegExp;
}

const json = <T>(files: Files, path: string): T =>
  JSON.parse(files.get(path)!.toString('utf8')) as T;
const withJson = (files: Files, path: string, value: unknown): Files =>
  new Map(files).set(path, Buffer.from(`${JSON.stringify(value, null, 2)}\n`));

/** The first change with a request event, and that event. */
function firstRequest(files: Files) {
  const population = json<PopulationFile>(files, POPULATION_JSON);
  const change = population.changes.find((c) => c.trail.request.length > 0)!;
  return { population, change, ref: change.trail.request[change.trail.request.length - 1]! };
}

/** Edits to the content, each a file the manifest lists: caught by its digest, diagnosed by content. */
export function contentTamperings(otherCheckpoint: string): Tampering[] {
  return [
    {
      name: 'a changed row in population/changes.json',
      edit: (files) => {
        const { population, change } = firstRequest(files);
        const changes = population.changes.map((c) =>
          c.changeId === change.changeId ? { ...c, title: 'Nothing to see here' } : c,
        );
        return withJson(files, POPULATION_JSON, { ...population, changes });
      },
      check: 'population',
      file: POPULATION_JSON,
      says: /row of change .+ does not match its proven events \(field title\)/,
    },
    {
      name: 'a changed cell in population/changes.csv',
      edit: (files) => {
        const lines = files.get(POPULATION_CSV)!.toString('utf8').split('\r\n');
        lines[1] = lines[1]!.replace(
          /,(\d+),(\d+),/,
          (_, a: string, b: string) => `,${Number(a) + 1},${b},`,
        );
        return new Map(files).set(POPULATION_CSV, Buffer.from(lines.join('\r\n')));
      },
      check: 'population',
      file: POPULATION_CSV,
      says: /population\/changes\.csv line 2 .* does not match/,
    },
    {
      name: 'a removed change',
      edit: (files) => {
        const { population, change } = firstRequest(files);
        const changes = population.changes.filter((c) => c.changeId !== change.changeId);
        return withJson(files, POPULATION_JSON, {
          ...population,
          changeCount: changes.length,
          changes,
        });
      },
      check: 'population',
      file: POPULATION_JSON,
      says: /change .+ is missing from population\/changes\.json/,
    },
    {
      name: 'a removed event',
      edit: (files) => {
        const { ref } = firstRequest(files);
        const path = serviceFile(ref.service, 'events.json');
        const events = json<ServiceEventsFile>(files, path);
        const streams = Object.fromEntries(
          Object.entries(events.streams).map(([id, records]) => [
            id,
            records.filter((r) => r.leafIndex !== ref.leafIndex),
          ]),
        );
        return withJson(files, path, { ...events, streams });
      },
      check: 'population',
      says: /cites planning leaf \d+ .*which is not in services\/planning\/events\.json/,
    },
    {
      name: 'a modified inclusion proof hash',
      edit: (files) => {
        const path = serviceFile('planning', 'events.json');
        const events = json<ServiceEventsFile>(files, path);
        const [streamId, records] = Object.entries(events.streams)[0]!;
        const [first, ...rest] = records;
        const flipped = first!.auditPath.map((h, i) =>
          i === 0 ? `${h[0] === 'a' ? 'b' : 'a'}${h.slice(1)}` : h,
        );
        return withJson(files, path, {
          ...events,
          streams: { ...events.streams, [streamId]: [{ ...first!, auditPath: flipped }, ...rest] },
        });
      },
      check: 'inclusion-proof',
      file: serviceFile('planning', 'events.json'),
      says: /inclusion proof does not match the signed checkpoint/,
    },
    {
      name: 'a changed event',
      edit: (files) => {
        const path = serviceFile('planning', 'events.json');
        const events = json<ServiceEventsFile>(files, path);
        const [streamId, records] = Object.entries(events.streams)[0]!;
        const [first, ...rest] = records;
        const canonical = first!.canonical.replace('"actor":"', '"actor":"mallory-');
        return withJson(files, path, {
          ...events,
          streams: { ...events.streams, [streamId]: [{ ...first!, canonical }, ...rest] },
        });
      },
      check: 'event',
      file: serviceFile('planning', 'events.json'),
      says: /does not hash to its leaf hash/,
    },
    {
      name: 'a swapped checkpoint',
      edit: (files) =>
        new Map(files).set(
          serviceFile('planning', 'checkpoint.note'),
          Buffer.from(otherCheckpoint),
        ),
      check: 'checkpoint',
      file: serviceFile('planning', 'checkpoint.note'),
      says: /checkpoint swapped/,
    },
  ];
}

/** Edits to the manifest's own guarantees. */
export const manifestTamperings: Tampering[] = [
  {
    name: 'a bad manifest signature',
    edit: (files) => {
      const sig = Buffer.from(files.get(SIGNATURE_FILE)!);
      sig[10] = sig[10]! ^ 0x01;
      return new Map(files).set(SIGNATURE_FILE, sig);
    },
    check: 'manifest-signature',
    file: SIGNATURE_FILE,
    says: /manifest\.sig is not a valid Ed25519 signature/,
  },
  {
    name: 'a file added that is not in the manifest',
    edit: (files) => new Map(files).set('population/extra-approvals.csv', Buffer.from('a,b\r\n')),
    check: 'unlisted-file',
    file: 'population/extra-approvals.csv',
    says: /not in the manifest/,
  },
  {
    name: 'a file listed in the manifest removed',
    edit: (files) => {
      const next = new Map(files);
      next.delete(POPULATION_CSV);
      return next;
    },
    check: 'missing-file',
    file: POPULATION_CSV,
    says: /missing from the bundle/,
  },
  {
    name: 'a changed manifest digest',
    edit: (files) => {
      const manifest = json<Manifest>(files, MANIFEST_FILE);
      const entries = manifest.files.map((f, i) =>
        i === 0 ? { ...f, sha256: '0'.repeat(64) } : f,
      );
      return withJson(files, MANIFEST_FILE, { ...manifest, files: entries });
    },
    check: 'manifest-signature',
    says: /manifest\.sig is not a valid/,
  },
];

/** The attacker's strongest move: edit, then recompute every digest and sign with a key of their own. */
export function resigned(files: Files): Files {
  const manifest = json<Manifest>(files, MANIFEST_FILE);
  const key = bundleSigningKey(generateKeyPairSync('ed25519').privateKey, true);
  return signBundle(files, manifest.scope, manifest.createdAt, key);
}
