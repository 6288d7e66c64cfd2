/** What every manipulation returns and every read item carries (`details` on the wire). */
export interface ObjectDetails {
  /** Per-aggregate sequence: stream revision of the event + 1. */
  sequence: number;
  changeDate: Date;
  /** The instance (tenant) id. */
  resourceOwner: string;
}

/** Details of the event stored at `revision` (0-based) at `createdAt`. */
export const detailsOf = (revision: number, createdAt: Date, resourceOwner: string): ObjectDetails => ({
  sequence: revision + 1,
  changeDate: createdAt,
  resourceOwner,
});
