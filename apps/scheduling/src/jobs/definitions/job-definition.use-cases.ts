import { Inject, Injectable } from '@nestjs/common';
import {
  commandMetadata,
  handleCommand,
  loadStream,
  type CommandContext,
  type EventStore,
} from '@trainyard/event-store';
import { EVENT_STORE } from '@trainyard/platform';
import { ValidationError } from '@trainyard/kernel';
import {
  JOB_NAME,
  JobManifestRejected,
  diffJobManifests,
  formatJobManifestDiff,
  jobDefinitionDecider,
  jobDefinitionStream,
  jobManifestDigest,
  prodAffectingReasons,
  runningVersion,
  validateJobManifest,
  type JobDefinition,
  type JobDefinitionCommand,
  type JobDefinitionEvent,
  type JobManifest,
  type JobManifestChange,
  type JobManifestValidationOptions,
} from '@trainyard/scheduling-domain';
import { SchedulingReadSide } from '../../projections/scheduling-read-side';
import { parseManifestText } from './job-manifest-text';

/** What validating a manifest needs besides the manifest (e.g. the command programs allowed). */
export const JOB_MANIFEST_OPTIONS = 'JOB_MANIFEST_OPTIONS';

type CommandData<T extends JobDefinitionCommand['type']> = Extract<
  JobDefinitionCommand,
  { type: T }
>['data'];

export interface ManifestDiff {
  readonly name: string;
  readonly digest: string;
  readonly manifest: JobManifest;
  readonly runningVersion: number;
  readonly runningDigest?: string;
  readonly changes: readonly JobManifestChange[];
  readonly lines: readonly string[];
  readonly approvalReasons: readonly string[];
  readonly unchanged: boolean;
  readonly pendingDigest?: string;
}

export type ApplyOutcome = 'applied' | 'proposed' | 'unchanged';

/**
 * Every job-definition command on stream `job-definition-<name>`: decided on the loaded stream
 * with the service's manifest options, appended at the loaded version. The author and approver
 * are the authenticated actor: no field names them. Manifest text is parsed here, so gRPC and
 * REST refuse the same input the same way before anything is decided.
 */
@Injectable()
export class JobDefinitionUseCases {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(JOB_MANIFEST_OPTIONS) private readonly options: JobManifestValidationOptions,
    private readonly readSide: SchedulingReadSide,
  ) {}

  /** Parsed and validated with no state; JobManifestRejected with every problem otherwise. */
  validate(text: Uint8Array | string): { manifest: JobManifest; digest: string } {
    const result = validateJobManifest(parseManifestText(text), this.options);
    if (!result.ok) throw new JobManifestRejected(result.problems);
    return { manifest: result.manifest, digest: jobManifestDigest(result.manifest) };
  }

  /** What applying the manifest would change; nothing is written. */
  async diff(text: Uint8Array | string): Promise<ManifestDiff> {
    const { manifest, digest } = this.validate(text);
    const { state } = await loadStream(
      this.store,
      jobDefinitionStream(manifest.name),
      jobDefinitionDecider,
    );
    const running = runningVersion(state);
    const changes = diffJobManifests(running?.manifest, manifest);
    return {
      name: manifest.name,
      digest,
      manifest,
      runningVersion: running?.version ?? 0,
      ...(running ? { runningDigest: running.digest } : {}),
      changes,
      lines: formatJobManifestDiff(changes),
      approvalReasons:
        running?.digest === digest ? [] : prodAffectingReasons(running?.manifest, manifest),
      unchanged: running?.digest === digest,
      ...(state.proposal ? { pendingDigest: state.proposal.digest } : {}),
    };
  }

  /** Applies manifest text: the job's name (from the manifest) and what happened. */
  async apply(
    text: Uint8Array | string,
    ctx: CommandContext,
  ): Promise<{ name: string; outcome: ApplyOutcome; event?: JobDefinitionEvent }> {
    // Validated first, so the stream is named by a valid job name and a refusal writes nothing.
    const { manifest } = this.validate(text);
    const handled = await this.handle('ApplyJobManifest', { manifest }, ctx, manifest.name);
    const [event] = handled.events;
    const outcome: ApplyOutcome =
      event === undefined
        ? 'unchanged'
        : event.type === 'JobManifestProposed'
          ? 'proposed'
          : 'applied';
    return { name: manifest.name, outcome, ...(event ? { event } : {}) };
  }

  async handle<T extends JobDefinitionCommand['type']>(
    type: T,
    data: CommandData<T>,
    ctx: CommandContext,
    name = (data as { name: string }).name,
  ): Promise<{ state: JobDefinition; changed: boolean; events: readonly JobDefinitionEvent[] }> {
    if (!JOB_NAME.test(name))
      throw new ValidationError(
        'name',
        `name must be a job name <team>.<system>.<job>; got ${JSON.stringify(name.slice(0, 60))}.`,
      );
    const command = { type, data, metadata: commandMetadata(ctx) } as JobDefinitionCommand;
    const handled = await handleCommand(
      this.store,
      jobDefinitionStream(name),
      jobDefinitionDecider,
      command,
      ctx,
      {
        context: this.options,
        onAppended: (result) =>
          this.readSide.recordWrite({
            transactionId: result.transactionId,
            position: result.lastPosition,
          }),
      },
    );
    return { state: handled.state, changed: handled.events.length > 0, events: handled.events };
  }
}
