import type { Permission } from './permissions';

/** Who is calling, from a verified token. `subject` is what events record as their actor. */
export interface Principal {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
}
