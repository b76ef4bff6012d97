/**
 * The bad-record reason of an exception a live parser met on one record (a bug met by an input
 * nobody foresaw). The parsers catch it per record and report the record with its position, and
 * the stream goes on, as the file readers go on past a bad record: uncaught, it ended `run` as
 * "fatal" and left the rest of the command unwatched.
 */
export function failedRecord(err: unknown): string {
  return `the sensor could not handle this record: ${err instanceof Error ? err.message : String(err)}`;
}
