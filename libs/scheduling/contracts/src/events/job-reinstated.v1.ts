/** A deprecated job is scheduled again. */
export interface JobReinstatedV1 {
  readonly name: string;
  readonly reason?: string;
  readonly reinstatedBy: string;
  readonly reinstatedAt: string;
}
