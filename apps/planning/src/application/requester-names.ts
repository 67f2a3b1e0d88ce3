import { Injectable } from '@nestjs/common';
import type { SealedPersonalData } from '@trainyard/kernel';
import { PersonalData, assertSubjectId } from '@trainyard/privacy';
import { ValidationError } from '@trainyard/kernel';
import type { WorkloadRow } from '@trainyard/planning-read-models';

/** A workload's requester as a reader sees it: the name opened now, or `[erased]`. */
export interface RequesterView {
  readonly subjectId: string;
  readonly name: string;
}

/**
 * The requester of a workload is personal data (issue 13 item 6): sealed for its subject at the
 * edge before the command is decided, so the event, the outbox, Kafka and the read model hold only
 * ciphertext; opened when a query answers (docs/adr/0013-crypto-shredding.md).
 */
@Injectable()
export class RequesterNames {
  constructor(private readonly personal: PersonalData) {}

  /** Both parts or neither; `field` is the request's name of the requester (wire form). */
  async seal(
    field: string,
    requester: { subjectId: string; name: string } | undefined,
  ): Promise<SealedPersonalData | undefined> {
    if (!requester || (!requester.subjectId && !requester.name)) return undefined;
    const subjectField = `${field}.subjectId`;
    assertSubjectId(subjectField, requester.subjectId);
    const name = requester.name.trim();
    if (!name)
      throw new ValidationError(`${field}.name`, `${field}.name is required with ${subjectField}`);
    if (name.length > 200)
      throw new ValidationError(`${field}.name`, `${field}.name must be at most 200 characters`);
    return this.personal.seal(requester.subjectId, name);
  }

  /** Each row's requester, opened (keys of all subjects in one query). */
  async of(rows: readonly WorkloadRow[]): Promise<(RequesterView | null)[]> {
    const names = await this.personal.revealMany(rows.map((row) => row.requester));
    return rows.map((row, i) =>
      row.requester ? { subjectId: row.requester.$pii.subject, name: names[i] ?? '' } : null,
    );
  }
}
