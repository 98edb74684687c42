/**
 * Answers a cacheable `ask` from memory (spec/linkis.md §8.4, acceptance 58): the key is the
 * target, the type and the value's JSON; an entry expires `expireMs` after it was last read
 * (expire-after-access, as Linkis's Guava cache) and the least recently read entries go first
 * beyond `maxEntries`. Concurrent asks for one key share one request; a failure is never cached.
 */
import type { Message } from '../message-types.js';
import type { Call, Invocation, RpcInterceptor } from '../invocation.js';

interface Entry {
  readonly answer: Promise<Message | undefined>;
  readAt: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
}

export function cacheKey(invocation: Pick<Invocation, 'target' | 'message'>): string {
  const { target, message } = invocation;
  return `${target.application.toLowerCase()}\u0000${target.instance ?? ''}\u0000${message.type}\u0000${JSON.stringify(message.value)}`;
}

export class CacheInterceptor implements RpcInterceptor {
  readonly name = 'cache';
  readonly priority = Number.MAX_SAFE_INTEGER;
  readonly stats: CacheStats = { hits: 0, misses: 0 };
  /** Per type, in read order: Map iteration order is the LRU order. */
  private readonly byType = new Map<string, Map<string, Entry>>();

  constructor(private readonly now: () => number = Date.now) {}

  wrap(next: Call): Call {
    return (invocation) => {
      const policy = invocation.messageType.policies.cache;
      if (!policy || invocation.kind !== 'ask') return next(invocation);
      let entries = this.byType.get(invocation.message.type);
      if (!entries) this.byType.set(invocation.message.type, (entries = new Map()));
      const key = cacheKey(invocation);
      const now = this.now();
      const cached = entries.get(key);
      entries.delete(key);
      if (cached && now - cached.readAt <= policy.expireMs) {
        cached.readAt = now;
        entries.set(key, cached);
        this.stats.hits++;
        return cached.answer;
      }
      this.stats.misses++;
      const entry: Entry = { answer: next(invocation), readAt: now };
      entries.set(key, entry);
      entry.answer.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      while (entries.size > policy.maxEntries) entries.delete(entries.keys().next().value!);
      return entry.answer;
    };
  }

  /** Forgets the cached answers to `message` (any target); Linkis's `removeCache`. */
  remove(message: Message): void {
    const entries = this.byType.get(message.type);
    if (!entries) return;
    const suffix = `\u0000${message.type}\u0000${JSON.stringify(message.value)}`;
    for (const key of [...entries.keys()]) if (key.endsWith(suffix)) entries.delete(key);
  }

  clear(): void {
    this.byType.clear();
  }
}
