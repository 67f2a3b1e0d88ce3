import {
  COMPONENT_ID,
  KAFKA_GROUP,
  KAFKA_TOPIC,
  MAX_ACTIVE_RUNS,
  MAX_BACKPRESSURE_SIGNALS,
  MAX_COMPONENTS,
  MAX_SLA_SECONDS,
} from './job-manifest.limits';
import { isObject, isOneOf, oneOf, own, show, type Problems } from './job-manifest.problems';
import {
  RUN_OVERLAP_POLICIES,
  type JobBackpressure,
  type JobConcurrency,
  type JobSla,
} from './job-manifest.types';

// The job-wide run settings: concurrency, SLA, backpressure signals, the components it touches.

export const validateConcurrency = (value: unknown, p: Problems): JobConcurrency | undefined => {
  if (value === undefined) return undefined;
  const path = 'concurrency';
  if (!isObject(value)) {
    p.add(path, `${path} must be an object with maxActiveRuns and overlap; got ${show(value)}.`);
    return undefined;
  }
  p.unknownKeys(value, ['maxActiveRuns', 'overlap'], path);
  const maxActiveRuns = p.integer(value, 'maxActiveRuns', path, 1, MAX_ACTIVE_RUNS, true);
  const overlap = own(value, 'overlap');
  if (overlap === undefined) p.add(`${path}.overlap`, `${path}.overlap is required.`);
  else if (!isOneOf(RUN_OVERLAP_POLICIES, overlap))
    p.add(
      `${path}.overlap`,
      `${path}.overlap must be one of ${oneOf(RUN_OVERLAP_POLICIES)}; got ${show(overlap)}.`,
    );
  if (maxActiveRuns === undefined || !isOneOf(RUN_OVERLAP_POLICIES, overlap)) return undefined;
  return { maxActiveRuns, overlap };
};

export const validateSla = (value: unknown, p: Problems): JobSla | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    p.add('sla', `sla must be an object with finishWithinSeconds; got ${show(value)}.`);
    return undefined;
  }
  p.unknownKeys(value, ['finishWithinSeconds'], 'sla');
  const finishWithinSeconds = p.integer(
    value,
    'finishWithinSeconds',
    'sla',
    1,
    MAX_SLA_SECONDS,
    true,
  );
  return finishWithinSeconds === undefined ? undefined : { finishWithinSeconds };
};

/** An absolute http(s) URL without credentials in it. */
const isHttpUrl = (url: string): boolean => /^https?:\/\//.test(url) && URL.canParse(url);

export const validateBackpressure = (
  value: unknown,
  p: Problems,
): JobBackpressure[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    p.add('backpressure', `backpressure must be a list of signals; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_BACKPRESSURE_SIGNALS) {
    p.add(
      'backpressure',
      `backpressure must hold at most ${MAX_BACKPRESSURE_SIGNALS} signals; got ${value.length}.`,
    );
    return undefined;
  }
  const before = p.list.length;
  const out: JobBackpressure[] = [];
  value.forEach((signal, i) => {
    const path = `backpressure[${i}]`;
    if (!isObject(signal)) {
      p.add(
        path,
        `${path} must be an object with a kind (kafka-lag or http-health); got ${show(signal)}.`,
      );
      return;
    }
    const kind = own(signal, 'kind');
    if (kind === 'kafka-lag') {
      p.unknownKeys(signal, ['kind', 'groupId', 'topic', 'maxLag'], path);
      const groupId = p.text(signal, 'groupId', path, true);
      if (groupId !== undefined && !KAFKA_GROUP.test(groupId))
        p.add(
          `${path}.groupId`,
          `${path}.groupId must be a Kafka consumer group id (letters, digits, dots, underscores, hyphens); got ${show(groupId)}.`,
        );
      const topic = p.text(signal, 'topic', path, true);
      if (topic !== undefined && (topic.length > 249 || !KAFKA_TOPIC.test(topic)))
        p.add(
          `${path}.topic`,
          `${path}.topic must be a Kafka topic name (letters, digits, dots, underscores, hyphens; at most 249); got ${show(topic)}.`,
        );
      const maxLag = p.integer(signal, 'maxLag', path, 0, Number.MAX_SAFE_INTEGER, true);
      if (groupId !== undefined && topic !== undefined && maxLag !== undefined)
        out.push({ kind, groupId, topic, maxLag });
    } else if (kind === 'http-health') {
      p.unknownKeys(signal, ['kind', 'url'], path);
      const url = p.text(signal, 'url', path, true);
      if (url !== undefined && !isHttpUrl(url))
        p.add(
          `${path}.url`,
          `${path}.url must be an absolute http or https URL; got ${show(url)}.`,
        );
      else if (url !== undefined) out.push({ kind, url });
    } else
      p.add(
        `${path}.kind`,
        `${path}.kind must be one of kafka-lag, http-health; got ${show(kind)}.`,
      );
  });
  return p.list.length > before ? undefined : out;
};

export const validateComponents = (value: unknown, p: Problems): string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    p.add('components', `components must be a list of component ids; got ${show(value)}.`);
    return undefined;
  }
  if (value.length > MAX_COMPONENTS) {
    p.add('components', `components must hold at most ${MAX_COMPONENTS} ids; got ${value.length}.`);
    return undefined;
  }
  let ok = true;
  value.forEach((c, i) => {
    if (typeof c !== 'string' || !COMPONENT_ID.test(c)) {
      p.add(
        `components[${i}]`,
        `components[${i}] must be a component id (a letter or digit, then letters, digits and . _ : / -, at most 200); got ${show(c)}.`,
      );
      ok = false;
    }
  });
  // The order of components means nothing: sorted, without duplicates, for a stable digest.
  return ok ? [...new Set(value as string[])].sort() : undefined;
};
