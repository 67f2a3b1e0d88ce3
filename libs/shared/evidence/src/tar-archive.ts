/**
 * A minimal POSIX ustar writer and reader for regular files (no dependency: node has no tar of its
 * own and the workspace installs none as a direct dependency). Archives read by GNU tar and bsdtar;
 * paths up to 255 bytes (name + prefix), sizes below 8 GiB.
 */
const BLOCK = 512;

export function writeTar(files: ReadonlyMap<string, Buffer>, mtimeSeconds = 0): Buffer {
  const parts: Buffer[] = [];
  for (const [path, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    parts.push(header(path, data.length, mtimeSeconds), data, Buffer.alloc(pad(data.length)));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  while (at + BLOCK <= archive.length) {
    const block = archive.subarray(at, at + BLOCK);
    if (block.every((b) => b === 0)) break;
    const stored = parseOctal(block.subarray(148, 156));
    const sum = checksum(block);
    if (stored !== sum) throw new Error(`tar header at offset ${at} has a bad checksum`);
    const name = text(block.subarray(0, 100));
    const prefix = text(block.subarray(345, 500));
    // An archive an auditor re-made with `tar -cf b.tar .` names its files ./<path>.
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^(\.\/)+/, '');
    const size = parseOctal(block.subarray(124, 136));
    const type = String.fromCharCode(block[156] ?? 0x30);
    at += BLOCK;
    if (type === '0' || type === '\0') {
      if (at + size > archive.length) throw new Error(`tar entry ${path} is truncated`);
      if (files.has(path)) throw new Error(`tar entry ${path} appears twice`);
      files.set(path, Buffer.from(archive.subarray(at, at + size)));
    } else if (type !== '5') {
      throw new Error(`tar entry ${path} is not a regular file (type ${type})`);
    }
    at += size + pad(size);
  }
  return files;
}

function header(path: string, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100)
      throw new Error(`path too long for a tar archive: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.fill(0x20, 148, 156);
  block.write('0', 156, 'ascii');
  block.write('ustar\u000000', 257, 'binary');
  block.write(prefix, 345, 155, 'utf8');
  block.write(octal(checksum(block), 8), 148, 'ascii');
  return block;
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`;
const parseOctal = (field: Buffer) => parseInt(text(field).trim() || '0', 8);
const text = (field: Buffer) => {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
};
const pad = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;
