/** What the local endpoint was asked: call counters per operation, for the tests and the bench. */

/** Per-operation call counters (`ssm:GetDocument` → n), faulted calls included. */
export class CallLog {
  readonly #counts = new Map<string, number>();

  record(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  count(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.#counts.clear();
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
