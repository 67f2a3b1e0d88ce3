/**
 * `npm run jobs:validate -- <file-or-dir ...>`: validates job manifests (YAML or JSON) the way the
 * scheduling service would apply them, with no running platform (issue 12, item 1). Directories
 * are searched for *.yaml, *.yml and *.json. Prints every problem as `file:line: field: message`,
 * checks job names are unique across the files, exits 1 on any problem and 0 otherwise.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { validateJobManifest } from '@trainyard/scheduling-domain';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';

export interface ManifestProblem {
  readonly file: string;
  readonly line?: number;
  readonly field: string;
  readonly message: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The manifest files named by `paths`, directories searched recursively (hidden entries skipped). */
export const manifestFiles = (paths: readonly string[]): string[] => {
  const out: string[] = [];
  const visit = (path: string, explicit: boolean): void => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort())
        if (!entry.startsWith('.')) visit(join(path, entry), false);
    } else if (explicit || EXTENSIONS.has(extname(path))) out.push(path);
  };
  for (const path of paths) visit(path, true);
  return out;
};

/** `tasks[2].dependsOn[0]` → ['tasks', 2, 'dependsOn', 0]. */
const pathSegments = (field: string): (string | number)[] =>
  [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] as string),
  );

/** The line of the deepest node of `field` that exists in the document. */
const lineOf = (doc: Document, counter: LineCounter, field: string): number | undefined => {
  const segments = pathSegments(field);
  for (let n = segments.length; n > 0; n--) {
    const node: unknown = doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
};

/** Validates one file's text; `name` is the job name when the manifest is valid. */
export const validateManifestText = (
  file: string,
  text: string,
): { problems: ManifestProblem[]; name?: string; nameLine?: number } => {
  const counter = new LineCounter();
  // JSON is YAML 1.2, so one parser gives line numbers for both.
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      problems: doc.errors.map((e) => ({
        file,
        line: counter.linePos(e.pos[0]).line,
        field: '(syntax)',
        message: `The file is not valid YAML or JSON: ${(e.message.split('\n')[0] ?? e.message).replace(/[.:]?\s*$/, '')}.`,
      })),
    };
  const input: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = validateJobManifest(input);
  if (!result.ok)
    return {
      problems: result.problems.map((p) => ({
        file,
        line: lineOf(doc, counter, p.field),
        field: p.field,
        message: p.message,
      })),
    };
  return {
    problems: [],
    name: result.manifest.name,
    nameLine: lineOf(doc, counter, 'name'),
  };
};

/** Every problem of the files, names checked for uniqueness across them. */
export const validateManifestFiles = (
  files: readonly string[],
  read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
): ManifestProblem[] => {
  const problems: ManifestProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      problems.push({
        file,
        field: '(file)',
        message: `The file cannot be read: ${String(error)}.`,
      });
      continue;
    }
    const result = validateManifestText(file, text);
    problems.push(...result.problems);
    if (result.name === undefined) continue;
    const first = seen.get(result.name);
    if (first !== undefined)
      problems.push({
        file,
        line: result.nameLine,
        field: 'name',
        message: `name ${result.name} is already the name of the job in ${first}; job names are unique.`,
      });
    else seen.set(result.name, file);
  }
  return problems;
};

export const formatProblem = (p: ManifestProblem): string =>
  `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.field}: ${p.message}`;

const main = (args: readonly string[]): number => {
  if (args.length === 0) {
    process.stderr.write('usage: npm run jobs:validate -- <file-or-dir ...>\n');
    return 2;
  }
  let files: string[];
  try {
    files = manifestFiles(args);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (files.length === 0) {
    process.stderr.write(`no manifest files (*.yaml, *.yml, *.json) under ${args.join(' ')}\n`);
    return 1;
  }
  const problems = validateManifestFiles(files);
  for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
  const bad = new Set(problems.map((p) => p.file)).size;
  process.stdout.write(
    problems.length === 0
      ? `${files.length} job manifest(s) valid.\n`
      : `${problems.length} problem(s) in ${bad} of ${files.length} file(s).\n`,
  );
  return problems.length === 0 ? 0 : 1;
};

if (require.main === module) process.exitCode = main(process.argv.slice(2));
