import { z } from 'zod';

/** A Kafka topic name as the broker accepts it. */
export const KAFKA_TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * `VAR=` (empty) means "use the default", as it did where these settings were read by hand: a
 * compose file or shell that blanks a variable must not turn a number into 0.
 */
export const unsetWhenEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

/** A whole number within min..max (in `unit`), defaulted. */
export const wholeNumberSetting = (unit: string, min: number, max: number, fallback: number) =>
  unsetWhenEmpty(
    z.coerce
      .number({ error: `expected ${unit}` })
      .int(`expected whole ${unit}`)
      .min(min, `expected ${min}-${max} ${unit}`)
      .max(max, `expected ${min}-${max} ${unit}`)
      .default(fallback),
  );

/** A Kafka topic name, defaulted. */
export const kafkaTopicSetting = (fallback: string) =>
  unsetWhenEmpty(
    z.string().regex(KAFKA_TOPIC_NAME, 'expected a Kafka topic name').default(fallback),
  );

/** Comma-separated Kafka topic names, deduplicated; none given: `fallback`. */
export const kafkaTopicsSetting = (fallback: readonly string[]) =>
  z
    .string()
    .default('')
    .transform((value, ctx) => {
      const topics = value
        .split(',')
        .map((topic) => topic.trim())
        .filter((topic) => topic !== '');
      for (const topic of topics)
        if (!KAFKA_TOPIC_NAME.test(topic))
          ctx.addIssue({
            code: 'custom',
            message: `expected comma-separated Kafka topic names; got ${JSON.stringify(topic)}`,
          });
      return topics.length > 0 ? [...new Set(topics)] : [...fallback];
    });

/**
 * A setting whose text a service-specific parser reads (allowlists, key rings, subscriber lists):
 * the parser's error becomes the variable's problem, so the start-up error names it.
 */
export const parsedSetting = <T>(parse: (text: string | undefined) => T) =>
  z
    .string()
    .optional()
    .transform((value, ctx): T => {
      try {
        return parse(value === '' ? undefined : value);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: error instanceof Error ? error.message : String(error),
        });
        return z.NEVER;
      }
    });

const SECRET_SETTINGS = new WeakSet<z.ZodType>();

/** Marks a setting whose value is a secret: a start-up error names it but never echoes its value. */
export const secretSetting = <T extends z.ZodType>(schema: T): T => {
  SECRET_SETTINGS.add(schema);
  return schema;
};

export const isSecretSetting = (schema: z.ZodType | undefined): boolean =>
  schema !== undefined && SECRET_SETTINGS.has(schema);
