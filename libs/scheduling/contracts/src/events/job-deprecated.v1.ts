/** A job is no longer scheduled (it stays defined with every version). */
export interface JobDeprecatedV1 {
  readonly name: string;
  readonly reason: string;
  readonly deprecatedBy: string;
  readonly deprecatedAt: string;
}
