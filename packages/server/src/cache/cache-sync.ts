// Cross-process cache invalidation: every instance polls the store's small cache_versions table and
// drops a topic's cache when another process (another instance, or the CLI) bumped its version.
import type { CacheVersionStore } from '../store/cache-version-store.ts';
import type { CacheTopic } from '../store/records.ts';

export type TopicListener = (topic: CacheTopic) => void | Promise<void>;

export class CacheSync {
  readonly #store: CacheVersionStore;
  readonly #listeners: TopicListener[] = [];
  #known: Record<CacheTopic, number> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;

  constructor(store: CacheVersionStore) {
    this.#store = store;
  }

  onChange(listener: TopicListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Records the versions the caches are about to be loaded at. Call it BEFORE loading them: a change made
   * between this read and the load is then seen as a change by the first poll (at worst a harmless reload).
   */
  async baseline(): Promise<void> {
    this.#known = await this.#store.listCacheVersions();
  }

  /** Starts polling every `intervalMs` (after `baseline`). */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.#timer = setInterval(() => {
      this.#polling ??= this.poll().catch(onError).finally(() => (this.#polling = undefined));
    }, intervalMs);
    this.#timer.unref();
  }

  /** One check; exposed so tests and writers in this process can sync immediately. */
  async poll(): Promise<void> {
    const current = await this.#store.listCacheVersions();
    const known = this.#known;
    this.#known = current;
    if (!known) return;
    for (const topic of Object.keys(current) as CacheTopic[]) {
      if (current[topic] !== known[topic]) for (const listener of this.#listeners) await listener(topic);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#polling;
  }
}
