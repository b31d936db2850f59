/**
 * Group commit: writes that arrive while a transaction is running are gathered and committed
 * together in the next one. One transaction per batch amortises its fixed costs (BEGIN/COMMIT,
 * the WAL append, the audit head lock) over every order in it, while each caller still
 * awaits its own durable result. If a batch fails, its items are retried one by one so that
 * one bad item cannot fail its neighbours and every caller gets its own error.
 */
export class GroupCommitter<In, Out> {
  private queue: { item: In; resolve: (v: Out) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly commit: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 128,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let the requests already parsed in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.commit(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(results[i] as Out));
      } catch (batchError) {
        if (batch.length === 1) {
          batch[0]?.reject(batchError);
          continue;
        }
        for (const b of batch) {
          try {
            const [r] = await this.commit([b.item]);
            b.resolve(r as Out);
          } catch (e) {
            b.reject(e);
          }
        }
      }
    }
    this.running = false;
  }
}
