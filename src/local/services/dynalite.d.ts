/** Types for dynalite (an in-memory DynamoDB server on LevelDB), which ships none. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    /** LevelDB directory; absent = in memory. */
    readonly path?: string;
    /** How long a new table stays CREATING (default 500). */
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    /** Item size limit (default 400, as DynamoDB). */
    readonly maxItemSizeKb?: number;
    readonly verbose?: boolean;
    readonly debug?: boolean;
  }

  /** An HTTP server speaking DynamoDB's JSON 1.0 protocol; close() also closes its store. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
